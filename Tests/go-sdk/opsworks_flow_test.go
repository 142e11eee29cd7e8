// The whole OpsWorks flow through aws-sdk-go-v2 (Debian's golang-github-aws-aws-sdk-go-v2-dev,
// built offline in GOPATH mode), against the server at $OPSWORKS_LOCAL_ENDPOINT. The Go SDK
// deserialises strictly by JSON type, so a member of the wrong type fails here even where
// botocore is lenient; every member sent must come back as it was sent.
package gosdk

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/opsworks"
	"github.com/aws/aws-sdk-go-v2/service/opsworks/types"
)

const (
	role    = "arn:aws:iam::000000000000:role/aws-opsworks-service-role"
	profile = "arn:aws:iam::000000000000:instance-profile/aws-opsworks-ec2-role"
)

func newClient(t *testing.T) *opsworks.Client {
	endpoint := os.Getenv("OPSWORKS_LOCAL_ENDPOINT")
	if endpoint == "" {
		t.Fatal("OPSWORKS_LOCAL_ENDPOINT is not set: run this through Tests/real-clients/test_go_sdk.py")
	}
	return opsworks.New(opsworks.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDGOSDK", "secret", ""),
		EndpointResolver: opsworks.EndpointResolverFromURL(endpoint),
	})
}

// must takes a call's two results: the value, or the test stops with the error (Go passes a
// call's results on only as a function's whole argument list, hence no name of the call here;
// the panic's trace shows its line).
func must[T any](value T, err error) T {
	if err != nil {
		panic(err)
	}
	return value
}

func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %#v, want %#v", what, got, want)
	}
}

// newStack creates a stack with the defaults and returns its ID.
func newStack(ctx context.Context, c *opsworks.Client, name string) *string {
	return must(c.CreateStack(ctx, &opsworks.CreateStackInput{Name: aws.String(name), Region: aws.String("us-east-1"),
		ServiceRoleArn: aws.String(role), DefaultInstanceProfileArn: aws.String(profile)})).StackId
}

func TestTheWholeFlow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := newClient(t)

	stackInput := &opsworks.CreateStackInput{
		Name: aws.String("go-flow"), Region: aws.String("us-east-1"),
		ServiceRoleArn: aws.String(role), DefaultInstanceProfileArn: aws.String(profile),
		DefaultOs: aws.String("Amazon Linux 2"), HostnameTheme: aws.String("Layer_Dependent"),
		DefaultSshKeyName: aws.String("deploy-key"), DefaultRootDeviceType: types.RootDeviceTypeEbs,
		Attributes:           map[string]string{"Color": "rgb(45, 114, 184)"},
		ConfigurationManager: &types.StackConfigurationManager{Name: aws.String("Chef"), Version: aws.String("12")},
		CustomJson:           aws.String(`{"env":"test"}`),
		UseCustomCookbooks:   aws.Bool(true),
		CustomCookbooksSource: &types.Source{Type: types.SourceTypeGit, Url: aws.String("https://git.example.com/cookbooks.git"), Revision: aws.String("main")},
	}
	stackId := must(c.CreateStack(ctx, stackInput)).StackId
	stacks := must(c.DescribeStacks(ctx, &opsworks.DescribeStacksInput{StackIds: []string{*stackId}})).Stacks
	if len(stacks) != 1 {
		t.Fatalf("DescribeStacks: %d stacks", len(stacks))
	}
	stack := stacks[0]
	same(t, "Stack.Name", *stack.Name, "go-flow")
	same(t, "Stack.Region", *stack.Region, "us-east-1")
	same(t, "Stack.ServiceRoleArn", *stack.ServiceRoleArn, role)
	same(t, "Stack.DefaultInstanceProfileArn", *stack.DefaultInstanceProfileArn, profile)
	same(t, "Stack.DefaultOs", *stack.DefaultOs, "Amazon Linux 2")
	same(t, "Stack.HostnameTheme", *stack.HostnameTheme, "Layer_Dependent")
	same(t, "Stack.DefaultSshKeyName", *stack.DefaultSshKeyName, "deploy-key")
	same(t, "Stack.DefaultRootDeviceType", stack.DefaultRootDeviceType, types.RootDeviceTypeEbs)
	same(t, "Stack.Attributes", stack.Attributes["Color"], "rgb(45, 114, 184)")
	same(t, "Stack.ConfigurationManager", *stack.ConfigurationManager.Version, "12")
	same(t, "Stack.CustomJson", *stack.CustomJson, `{"env":"test"}`)
	same(t, "Stack.UseCustomCookbooks", *stack.UseCustomCookbooks, true)
	same(t, "Stack.CustomCookbooksSource.Url", *stack.CustomCookbooksSource.Url, "https://git.example.com/cookbooks.git")
	if stack.Arn == nil || stack.CreatedAt == nil || stack.StackId == nil || *stack.StackId != *stackId {
		t.Errorf("Stack: Arn, CreatedAt and StackId must be set: %#v", stack)
	}

	layerId := must(c.CreateLayer(ctx, &opsworks.CreateLayerInput{
		StackId: stackId, Type: types.LayerTypeCustom, Name: aws.String("Web"), Shortname: aws.String("web"),
		Packages: []string{"nginx"}, EnableAutoHealing: aws.Bool(false), AutoAssignElasticIps: aws.Bool(true),
		CustomRecipes: &types.Recipes{Setup: []string{"web::setup"}, Deploy: []string{"web::deploy"}},
	})).LayerId
	layer := must(c.DescribeLayers(ctx, &opsworks.DescribeLayersInput{LayerIds: []string{*layerId}})).Layers[0]
	same(t, "Layer.Name", *layer.Name, "Web")
	same(t, "Layer.Shortname", *layer.Shortname, "web")
	same(t, "Layer.Type", layer.Type, types.LayerTypeCustom)
	same(t, "Layer.Packages", layer.Packages, []string{"nginx"})
	same(t, "Layer.EnableAutoHealing", *layer.EnableAutoHealing, false)
	same(t, "Layer.AutoAssignElasticIps", *layer.AutoAssignElasticIps, true)
	same(t, "Layer.CustomRecipes.Setup", layer.CustomRecipes.Setup, []string{"web::setup"})
	same(t, "Layer.CustomRecipes.Deploy", layer.CustomRecipes.Deploy, []string{"web::deploy"})

	// What Terraform reads on every refresh of a stack and a layer: tags, the ELB, load-based scaling.
	must(c.TagResource(ctx, &opsworks.TagResourceInput{ResourceArn: stack.Arn, Tags: map[string]string{"team": "go"}}))
	must(c.TagResource(ctx, &opsworks.TagResourceInput{ResourceArn: layer.Arn, Tags: map[string]string{"role": "web", "gone": "soon"}}))
	must(c.UntagResource(ctx, &opsworks.UntagResourceInput{ResourceArn: layer.Arn, TagKeys: []string{"gone"}}))
	same(t, "ListTags(stack)", must(c.ListTags(ctx, &opsworks.ListTagsInput{ResourceArn: stack.Arn})).Tags, map[string]string{"team": "go"})
	same(t, "ListTags(layer)", must(c.ListTags(ctx, &opsworks.ListTagsInput{ResourceArn: layer.Arn})).Tags, map[string]string{"role": "web"})
	scaling := must(c.DescribeLoadBasedAutoScaling(ctx, &opsworks.DescribeLoadBasedAutoScalingInput{LayerIds: []string{*layerId}})).LoadBasedAutoScalingConfigurations
	same(t, "LoadBasedAutoScaling.Enable", *scaling[0].Enable, false)
	same(t, "LoadBasedAutoScaling.UpScaling.CpuThreshold", *scaling[0].UpScaling.CpuThreshold, 80.0)
	must(c.SetLoadBasedAutoScaling(ctx, &opsworks.SetLoadBasedAutoScalingInput{LayerId: layerId, Enable: aws.Bool(true),
		DownScaling: &types.AutoScalingThresholds{InstanceCount: aws.Int32(2), ThresholdsWaitTime: aws.Int32(7), IgnoreMetricsTime: aws.Int32(8), LoadThreshold: aws.Float64(0.5)}}))
	scaling = must(c.DescribeLoadBasedAutoScaling(ctx, &opsworks.DescribeLoadBasedAutoScalingInput{LayerIds: []string{*layerId}})).LoadBasedAutoScalingConfigurations
	same(t, "LoadBasedAutoScaling.Enable after Set", *scaling[0].Enable, true)
	same(t, "LoadBasedAutoScaling.DownScaling", []any{*scaling[0].DownScaling.InstanceCount, *scaling[0].DownScaling.ThresholdsWaitTime, *scaling[0].DownScaling.IgnoreMetricsTime, *scaling[0].DownScaling.LoadThreshold}, []any{int32(2), int32(7), int32(8), 0.5})
	same(t, "ElasticLoadBalancers before Attach", len(must(c.DescribeElasticLoadBalancers(ctx, &opsworks.DescribeElasticLoadBalancersInput{LayerIds: []string{*layerId}})).ElasticLoadBalancers), 0)
	must(c.AttachElasticLoadBalancer(ctx, &opsworks.AttachElasticLoadBalancerInput{ElasticLoadBalancerName: aws.String("go-lb"), LayerId: layerId}))

	// Terraform's updates: only the changed members, CustomRecipes with the changed events only.
	must(c.UpdateStack(ctx, &opsworks.UpdateStackInput{StackId: stackId, Name: aws.String("go-flow-renamed"), Attributes: map[string]string{"Color": "rgb(1, 2, 3)"}}))
	stack = must(c.DescribeStacks(ctx, &opsworks.DescribeStacksInput{StackIds: []string{*stackId}})).Stacks[0]
	same(t, "Stack.Name after UpdateStack", *stack.Name, "go-flow-renamed")
	same(t, "Stack.DefaultSshKeyName after UpdateStack", *stack.DefaultSshKeyName, "deploy-key")
	must(c.UpdateLayer(ctx, &opsworks.UpdateLayerInput{LayerId: layerId, CustomRecipes: &types.Recipes{Configure: []string{"web::configure"}}}))
	layer = must(c.DescribeLayers(ctx, &opsworks.DescribeLayersInput{LayerIds: []string{*layerId}})).Layers[0]
	same(t, "Layer.CustomRecipes after UpdateLayer", [][]string{layer.CustomRecipes.Setup, layer.CustomRecipes.Configure, layer.CustomRecipes.Deploy},
		[][]string{{"web::setup"}, {"web::configure"}, {"web::deploy"}})

	var instanceIds []string
	for _, hostname := range []string{"web1", "web2"} {
		id := must(c.CreateInstance(ctx, &opsworks.CreateInstanceInput{
			StackId: stackId, LayerIds: []string{*layerId}, InstanceType: aws.String("t3.small"),
			Hostname: aws.String(hostname), Os: aws.String("Amazon Linux 2"), SshKeyName: aws.String("deploy-key"),
			RootDeviceType: types.RootDeviceTypeEbs, Architecture: types.ArchitectureX8664,
		})).InstanceId
		instanceIds = append(instanceIds, *id)
		must(c.UpdateInstance(ctx, &opsworks.UpdateInstanceInput{InstanceId: id, InstallUpdatesOnBoot: aws.Bool(false), AgentVersion: aws.String("INHERIT")}))
		must(c.StartInstance(ctx, &opsworks.StartInstanceInput{InstanceId: id}))
	}
	online := opsworks.NewInstanceOnlineWaiter(c, func(o *opsworks.InstanceOnlineWaiterOptions) { o.MinDelay = time.Second; o.MaxDelay = time.Second })
	if err := online.Wait(ctx, &opsworks.DescribeInstancesInput{InstanceIds: instanceIds}, 30*time.Second); err != nil {
		t.Fatalf("InstanceOnline waiter: %v", err)
	}
	instances := must(c.DescribeInstances(ctx, &opsworks.DescribeInstancesInput{StackId: stackId})).Instances
	same(t, "instances", len(instances), 2)
	for _, instance := range instances {
		same(t, "Instance.Status", *instance.Status, "online")
		same(t, "Instance.InstanceType", *instance.InstanceType, "t3.small")
		same(t, "Instance.Os", *instance.Os, "Amazon Linux 2")
		same(t, "Instance.SshKeyName", *instance.SshKeyName, "deploy-key")
		same(t, "Instance.RootDeviceType", instance.RootDeviceType, types.RootDeviceTypeEbs)
		same(t, "Instance.Architecture", instance.Architecture, types.ArchitectureX8664)
		same(t, "Instance.LayerIds", instance.LayerIds, []string{*layerId})
		same(t, "Instance.InstallUpdatesOnBoot after UpdateInstance", *instance.InstallUpdatesOnBoot, false)
		if instance.Ec2InstanceId == nil || instance.PrivateIp == nil || instance.PublicIp == nil || instance.CreatedAt == nil {
			t.Errorf("an online instance has its EC2 ID, addresses and CreatedAt: %#v", instance)
		}
	}

	balancers := must(c.DescribeElasticLoadBalancers(ctx, &opsworks.DescribeElasticLoadBalancersInput{StackId: stackId})).ElasticLoadBalancers
	if len(balancers) != 1 || *balancers[0].ElasticLoadBalancerName != "go-lb" || *balancers[0].LayerId != *layerId || len(balancers[0].Ec2InstanceIds) != 2 || balancers[0].DnsName == nil {
		t.Errorf("DescribeElasticLoadBalancers: want go-lb on the layer with its 2 online instances, got %#v", balancers)
	}
	must(c.DetachElasticLoadBalancer(ctx, &opsworks.DetachElasticLoadBalancerInput{ElasticLoadBalancerName: aws.String("go-lb"), LayerId: layerId}))

	appId := must(c.CreateApp(ctx, &opsworks.CreateAppInput{
		StackId: stackId, Name: aws.String("Shop"), Type: types.AppTypePhp, Shortname: aws.String("shop"),
		Description: aws.String("the shop"), Domains: []string{"shop.example.com"}, EnableSsl: aws.Bool(false),
		AppSource:   &types.Source{Type: types.SourceTypeGit, Url: aws.String("https://git.example.com/shop.git"), Revision: aws.String("v1")},
		Attributes:  map[string]string{"DocumentRoot": "public"},
		Environment: []types.EnvironmentVariable{{Key: aws.String("MODE"), Value: aws.String("test"), Secure: aws.Bool(false)}},
	})).AppId
	must(c.UpdateApp(ctx, &opsworks.UpdateAppInput{
		AppId:     appId,
		AppSource: &types.Source{Type: types.SourceTypeGit, Url: aws.String("https://git.example.com/shop.git"), Revision: aws.String("v2")},
	}))
	app := must(c.DescribeApps(ctx, &opsworks.DescribeAppsInput{AppIds: []string{*appId}})).Apps[0]
	same(t, "App.Name", *app.Name, "Shop")
	same(t, "App.Type", app.Type, types.AppTypePhp)
	same(t, "App.Shortname", *app.Shortname, "shop")
	same(t, "App.Description", *app.Description, "the shop")
	same(t, "App.Domains", app.Domains, []string{"shop.example.com"})
	same(t, "App.EnableSsl", *app.EnableSsl, false)
	same(t, "App.AppSource.Revision after UpdateApp", *app.AppSource.Revision, "v2")
	same(t, "App.Attributes", app.Attributes["DocumentRoot"], "public")
	same(t, "App.Environment", *app.Environment[0].Value, "test")

	deploymentId := must(c.CreateDeployment(ctx, &opsworks.CreateDeploymentInput{
		StackId: stackId, AppId: appId, Command: &types.DeploymentCommand{Name: types.DeploymentCommandNameDeploy},
		Comment: aws.String("v2"), CustomJson: aws.String(`{"release":"v2"}`),
	})).DeploymentId
	successful := opsworks.NewDeploymentSuccessfulWaiter(c, func(o *opsworks.DeploymentSuccessfulWaiterOptions) { o.MinDelay = time.Second; o.MaxDelay = time.Second })
	if err := successful.Wait(ctx, &opsworks.DescribeDeploymentsInput{DeploymentIds: []string{*deploymentId}}, 30*time.Second); err != nil {
		t.Fatalf("DeploymentSuccessful waiter: %v", err)
	}
	deployment := must(c.DescribeDeployments(ctx, &opsworks.DescribeDeploymentsInput{DeploymentIds: []string{*deploymentId}})).Deployments[0]
	same(t, "Deployment.Status", *deployment.Status, "successful")
	same(t, "Deployment.Comment", *deployment.Comment, "v2")
	same(t, "Deployment.CustomJson", *deployment.CustomJson, `{"release":"v2"}`)
	same(t, "Deployment.Command.Name", deployment.Command.Name, types.DeploymentCommandNameDeploy)
	same(t, "Deployment.AppId", *deployment.AppId, *appId)
	same(t, "Deployment.InstanceIds", len(deployment.InstanceIds), 2)
	if deployment.CreatedAt == nil || deployment.CompletedAt == nil || deployment.Duration == nil {
		t.Errorf("a finished deployment has CreatedAt, CompletedAt and Duration: %#v", deployment)
	}
	commands := must(c.DescribeCommands(ctx, &opsworks.DescribeCommandsInput{DeploymentId: deploymentId})).Commands
	same(t, "commands", len(commands), 2)
	for _, command := range commands {
		same(t, "Command.Status", *command.Status, "successful")
		same(t, "Command.Type", *command.Type, "deploy")
		same(t, "Command.ExitCode", *command.ExitCode, int32(0))
		same(t, "Command.DeploymentId", *command.DeploymentId, *deploymentId)
	}

	_, err := c.DescribeStacks(ctx, &opsworks.DescribeStacksInput{StackIds: []string{"no-such-stack"}})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) || notFound.ErrorMessage() != "Unable to find stack with ID no-such-stack" {
		t.Errorf("DescribeStacks of an unknown stack: want *types.ResourceNotFoundException, got %T %v", err, err)
	}
	_, err = c.CreateDeployment(ctx, &opsworks.CreateDeploymentInput{StackId: stackId, Command: &types.DeploymentCommand{Name: types.DeploymentCommandNameDeploy}})
	var invalid *types.ValidationException
	if !errors.As(err, &invalid) || invalid.ErrorMessage() == "" {
		t.Errorf("deploy without an AppId: want *types.ValidationException, got %T %v", err, err)
	}

	for _, id := range instanceIds {
		must(c.StopInstance(ctx, &opsworks.StopInstanceInput{InstanceId: aws.String(id)}))
	}
	stopped := opsworks.NewInstanceStoppedWaiter(c, func(o *opsworks.InstanceStoppedWaiterOptions) { o.MinDelay = time.Second; o.MaxDelay = time.Second })
	if err := stopped.Wait(ctx, &opsworks.DescribeInstancesInput{InstanceIds: instanceIds}, 30*time.Second); err != nil {
		t.Fatalf("InstanceStopped waiter: %v", err)
	}

	// The teardown of an integration suite, each step ending in ResourceNotFound.
	must(c.DeleteApp(ctx, &opsworks.DeleteAppInput{AppId: appId}))
	for _, id := range instanceIds {
		must(c.DeleteInstance(ctx, &opsworks.DeleteInstanceInput{InstanceId: aws.String(id), DeleteElasticIp: aws.Bool(true), DeleteVolumes: aws.Bool(true)}))
	}
	_, err = c.DeleteStack(ctx, &opsworks.DeleteStackInput{StackId: stackId})
	if !errors.As(err, &invalid) {
		t.Errorf("DeleteStack of a stack with a layer: want *types.ValidationException, got %T %v", err, err)
	}
	must(c.DeleteLayer(ctx, &opsworks.DeleteLayerInput{LayerId: layerId}))
	must(c.DeleteStack(ctx, &opsworks.DeleteStackInput{StackId: stackId}))
	_, err = c.DescribeStacks(ctx, &opsworks.DescribeStacksInput{StackIds: []string{*stackId}})
	if !errors.As(err, &notFound) {
		t.Errorf("DescribeStacks of a deleted stack: want *types.ResourceNotFoundException, got %T %v", err, err)
	}
}

// The stack-level operations, each response deserialised by the SDK's strict types.
func TestStackOperations(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := newClient(t)
	stackId := newStack(ctx, c, "go-ops")
	layerId := must(c.CreateLayer(ctx, &opsworks.CreateLayerInput{StackId: stackId, Type: types.LayerTypeCustom, Name: aws.String("Db"), Shortname: aws.String("db"),
		VolumeConfigurations: []types.VolumeConfiguration{{MountPoint: aws.String("/data"), NumberOfDisks: aws.Int32(2), Size: aws.Int32(50), RaidLevel: aws.Int32(1)}}})).LayerId
	same(t, "GetHostnameSuggestion", *must(c.GetHostnameSuggestion(ctx, &opsworks.GetHostnameSuggestionInput{LayerId: layerId})).Hostname, "db1")
	instanceId := must(c.CreateInstance(ctx, &opsworks.CreateInstanceInput{StackId: stackId, LayerIds: []string{*layerId}, InstanceType: aws.String("t3.small")})).InstanceId
	timerId := must(c.CreateInstance(ctx, &opsworks.CreateInstanceInput{StackId: stackId, LayerIds: []string{*layerId}, InstanceType: aws.String("t3.small"),
		AutoScalingType: types.AutoScalingTypeTimer})).InstanceId

	must(c.StartStack(ctx, &opsworks.StartStackInput{StackId: stackId}))
	must(c.RebootInstance(ctx, &opsworks.RebootInstanceInput{InstanceId: instanceId}))
	summary := must(c.DescribeStackSummary(ctx, &opsworks.DescribeStackSummaryInput{StackId: stackId})).StackSummary
	same(t, "StackSummary counts", []any{*summary.LayersCount, *summary.AppsCount, *summary.InstancesCount.Online, *summary.InstancesCount.Stopped}, []any{int32(1), int32(0), int32(1), int32(1)})
	arrays := must(c.DescribeRaidArrays(ctx, &opsworks.DescribeRaidArraysInput{InstanceId: instanceId})).RaidArrays
	if len(arrays) != 1 || *arrays[0].RaidLevel != 1 || *arrays[0].NumberOfDisks != 2 || *arrays[0].MountPoint != "/data" {
		t.Errorf("DescribeRaidArrays: want one RAID 1 array of 2 disks at /data, got %#v", arrays)
	}
	must(c.SetTimeBasedAutoScaling(ctx, &opsworks.SetTimeBasedAutoScalingInput{InstanceId: timerId,
		AutoScalingSchedule: &types.WeeklyAutoScalingSchedule{Monday: map[string]string{"9": "on"}}}))
	schedules := must(c.DescribeTimeBasedAutoScaling(ctx, &opsworks.DescribeTimeBasedAutoScalingInput{InstanceIds: []string{*timerId}})).TimeBasedAutoScalingConfigurations
	same(t, "TimeBasedAutoScaling", schedules[0].AutoScalingSchedule.Monday, map[string]string{"9": "on"})
	must(c.StopStack(ctx, &opsworks.StopStackInput{StackId: stackId}))

	parameters := must(c.DescribeStackProvisioningParameters(ctx, &opsworks.DescribeStackProvisioningParametersInput{StackId: stackId}))
	if parameters.AgentInstallerUrl == nil || parameters.Parameters["assets_download_bucket"] == "" {
		t.Errorf("DescribeStackProvisioningParameters: %#v", parameters)
	}
	versions := must(c.DescribeAgentVersions(ctx, &opsworks.DescribeAgentVersionsInput{StackId: stackId})).AgentVersions
	if len(versions) == 0 || *versions[0].ConfigurationManager.Version != "12" {
		t.Errorf("DescribeAgentVersions: %#v", versions)
	}
	systems := must(c.DescribeOperatingSystems(ctx, &opsworks.DescribeOperatingSystemsInput{})).OperatingSystems
	if len(systems) == 0 || !*systems[0].Supported {
		t.Errorf("DescribeOperatingSystems: %#v", systems)
	}
	same(t, "DescribeServiceErrors", len(must(c.DescribeServiceErrors(ctx, &opsworks.DescribeServiceErrorsInput{StackId: stackId})).ServiceErrors), 0)

	cloneId := must(c.CloneStack(ctx, &opsworks.CloneStackInput{SourceStackId: stackId, ServiceRoleArn: aws.String(role), Name: aws.String("go-clone")})).StackId
	cloned := must(c.DescribeLayers(ctx, &opsworks.DescribeLayersInput{StackId: cloneId})).Layers
	if len(cloned) != 1 || *cloned[0].Shortname != "db" || *cloned[0].LayerId == *layerId {
		t.Errorf("CloneStack: want a copy of the layer, got %#v", cloned)
	}
}
