package gosdk

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/opsworks"
	"github.com/aws/aws-sdk-go-v2/service/opsworks/types"
)

// The operations of users, permissions and registered resources through the strict types: every
// member comes back with the JSON type the model gives it.
func TestRegisteredResources(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := newClient(t)
	stackId := newStack(ctx, c, "go-registrations")
	layerId := must(c.CreateLayer(ctx, &opsworks.CreateLayerInput{StackId: stackId, Type: types.LayerTypeCustom, Name: aws.String("Web"), Shortname: aws.String("web")})).LayerId
	instanceId := must(c.CreateInstance(ctx, &opsworks.CreateInstanceInput{StackId: stackId, LayerIds: []string{*layerId}, InstanceType: aws.String("t3.small")})).InstanceId

	// Users and permissions.
	user := "arn:aws:iam::000000000000:user/go-user"
	must(c.CreateUserProfile(ctx, &opsworks.CreateUserProfileInput{IamUserArn: aws.String(user), SshUsername: aws.String("go.user"), AllowSelfManagement: aws.Bool(true)}))
	profiles := must(c.DescribeUserProfiles(ctx, &opsworks.DescribeUserProfilesInput{IamUserArns: []string{user}})).UserProfiles
	same(t, "UserProfile", []any{*profiles[0].Name, *profiles[0].SshUsername, *profiles[0].AllowSelfManagement}, []any{"go-user", "gouser", true})
	must(c.UpdateUserProfile(ctx, &opsworks.UpdateUserProfileInput{IamUserArn: aws.String(user), SshPublicKey: aws.String("ssh-rsa AAAA")}))
	must(c.SetPermission(ctx, &opsworks.SetPermissionInput{StackId: stackId, IamUserArn: aws.String(user), Level: aws.String("deploy"), AllowSsh: aws.Bool(true)}))
	permissions := must(c.DescribePermissions(ctx, &opsworks.DescribePermissionsInput{StackId: stackId, IamUserArn: aws.String(user)})).Permissions
	same(t, "Permission", []any{*permissions[0].Level, *permissions[0].AllowSsh, *permissions[0].AllowSudo}, []any{"deploy", true, false})
	me := must(c.DescribeMyUserProfile(ctx, &opsworks.DescribeMyUserProfileInput{})).UserProfile
	same(t, "DescribeMyUserProfile", *me.IamUserArn, "arn:aws:iam::000000000000:user/AKIDGOSDK")
	must(c.UpdateMyUserProfile(ctx, &opsworks.UpdateMyUserProfileInput{SshPublicKey: aws.String("ssh-ed25519 AAAA")}))

	// An Elastic IP and a volume on the instance.
	must(c.RegisterElasticIp(ctx, &opsworks.RegisterElasticIpInput{ElasticIp: aws.String("203.0.113.40"), StackId: stackId}))
	must(c.UpdateElasticIp(ctx, &opsworks.UpdateElasticIpInput{ElasticIp: aws.String("203.0.113.40"), Name: aws.String("go")}))
	must(c.AssociateElasticIp(ctx, &opsworks.AssociateElasticIpInput{ElasticIp: aws.String("203.0.113.40"), InstanceId: instanceId}))
	addresses := must(c.DescribeElasticIps(ctx, &opsworks.DescribeElasticIpsInput{InstanceId: instanceId})).ElasticIps
	same(t, "ElasticIp", []any{*addresses[0].Ip, *addresses[0].Name, *addresses[0].Domain}, []any{"203.0.113.40", "go", "vpc"})
	volumeId := must(c.RegisterVolume(ctx, &opsworks.RegisterVolumeInput{StackId: stackId, Ec2VolumeId: aws.String("vol-0000000c")})).VolumeId
	must(c.UpdateVolume(ctx, &opsworks.UpdateVolumeInput{VolumeId: volumeId, MountPoint: aws.String("/mnt/go")}))
	must(c.AssignVolume(ctx, &opsworks.AssignVolumeInput{VolumeId: volumeId, InstanceId: instanceId}))
	volumes := must(c.DescribeVolumes(ctx, &opsworks.DescribeVolumesInput{InstanceId: instanceId})).Volumes
	same(t, "Volume", []any{*volumes[0].Status, *volumes[0].Device, *volumes[0].MountPoint}, []any{"in-use", "/dev/sdi", "/mnt/go"})
	must(c.UnassignVolume(ctx, &opsworks.UnassignVolumeInput{VolumeId: volumeId}))
	must(c.DisassociateElasticIp(ctx, &opsworks.DisassociateElasticIpInput{ElasticIp: aws.String("203.0.113.40")}))
	must(c.DeregisterElasticIp(ctx, &opsworks.DeregisterElasticIpInput{ElasticIp: aws.String("203.0.113.40")}))
	must(c.DeregisterVolume(ctx, &opsworks.DeregisterVolumeInput{VolumeId: volumeId}))

	// RDS and ECS.
	rds := "arn:aws:rds:us-east-1:000000000000:db:go"
	must(c.RegisterRdsDbInstance(ctx, &opsworks.RegisterRdsDbInstanceInput{StackId: stackId, RdsDbInstanceArn: aws.String(rds), DbUser: aws.String("u"), DbPassword: aws.String("p")}))
	must(c.UpdateRdsDbInstance(ctx, &opsworks.UpdateRdsDbInstanceInput{RdsDbInstanceArn: aws.String(rds), DbUser: aws.String("v")}))
	databases := must(c.DescribeRdsDbInstances(ctx, &opsworks.DescribeRdsDbInstancesInput{StackId: stackId})).RdsDbInstances
	same(t, "RdsDbInstance", []any{*databases[0].DbUser, *databases[0].DbPassword, *databases[0].MissingOnRds}, []any{"v", "*****FILTERED*****", false})
	must(c.DeregisterRdsDbInstance(ctx, &opsworks.DeregisterRdsDbInstanceInput{RdsDbInstanceArn: aws.String(rds)}))
	ecs := "arn:aws:ecs:us-east-1:000000000000:cluster/go"
	must(c.RegisterEcsCluster(ctx, &opsworks.RegisterEcsClusterInput{EcsClusterArn: aws.String(ecs), StackId: stackId}))
	pages := opsworks.NewDescribeEcsClustersPaginator(c, &opsworks.DescribeEcsClustersInput{StackId: stackId, MaxResults: aws.Int32(1)})
	var names []string
	for pages.HasMorePages() {
		for _, cluster := range must(pages.NextPage(ctx)).EcsClusters {
			names = append(names, *cluster.EcsClusterName)
		}
	}
	same(t, "DescribeEcsClusters pages", names, []string{"go"})
	must(c.DeregisterEcsCluster(ctx, &opsworks.DeregisterEcsClusterInput{EcsClusterArn: aws.String(ecs)}))

	// A registered machine: registered, assigned, unassigned, deregistered.
	registered := must(c.RegisterInstance(ctx, &opsworks.RegisterInstanceInput{StackId: stackId, Hostname: aws.String("go-machine"), PrivateIp: aws.String("192.0.2.44")})).InstanceId
	waiter := opsworks.NewInstanceRegisteredWaiter(c)
	if err := waiter.Wait(ctx, &opsworks.DescribeInstancesInput{InstanceIds: []string{*registered}}, 30*time.Second); err != nil {
		t.Fatalf("InstanceRegistered waiter: %v", err)
	}
	must(c.AssignInstance(ctx, &opsworks.AssignInstanceInput{InstanceId: registered, LayerIds: []string{*layerId}}))
	must(c.UnassignInstance(ctx, &opsworks.UnassignInstanceInput{InstanceId: registered}))
	must(c.DeregisterInstance(ctx, &opsworks.DeregisterInstanceInput{InstanceId: registered}))

	// Errors arrive as the model's typed errors.
	_, err := c.SetPermission(ctx, &opsworks.SetPermissionInput{StackId: stackId, IamUserArn: aws.String("arn:aws:iam::000000000000:user/nobody")})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) || *notFound.Message != "Unable to find user with ARN arn:aws:iam::000000000000:user/nobody" {
		t.Errorf("SetPermission for an unknown user: %v", err)
	}
	_, err = c.GrantAccess(ctx, &opsworks.GrantAccessInput{InstanceId: instanceId})
	var invalid *types.ValidationException
	if !errors.As(err, &invalid) {
		t.Errorf("GrantAccess on a Linux stack: want a ValidationException, got %v", err)
	}
	must(c.DeleteUserProfile(ctx, &opsworks.DeleteUserProfileInput{IamUserArn: aws.String(user)}))
}
