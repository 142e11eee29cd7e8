import Testing
@testable import AWSJSON
@testable import OpsWorks

/// Registered resources and what the cascades do to them, called without a socket.
@Suite struct RegistrationsTests {
    @Test func everyOperationOfTheModelHasAHandler() throws {
        let harness = try Harness.make()
        #expect(Set(harness.operations.keys) == Set(ServiceModel.opsWorks.operations.keys))
        #expect(harness.operations.count == 74)
    }

    @Test func deleteInstanceReleasesOrKeepsItsAddressAndVolumes() throws {
        let harness = try Harness.make()
        let stack = try harness.stack()
        let layer = try harness.layer(stack)
        var instances: [String] = []
        for (index, release) in [false, true].enumerated() {
            let instance = try harness.instance(stack, layer, start: false)
            instances.append(instance)
            let ip = "203.0.113.\(index + 1)"
            try harness.call("RegisterElasticIp", ["ElasticIp": .string(ip), "StackId": .string(stack)])
            try harness.call("AssociateElasticIp", ["ElasticIp": .string(ip), "InstanceId": .string(instance)])
            let volume = try harness.call("RegisterVolume", ["StackId": .string(stack), "Ec2VolumeId": .string("vol-0000000\(index)")]).string("VolumeId")!
            try harness.call("UpdateVolume", ["VolumeId": .string(volume), "MountPoint": "/mnt/data"])
            try harness.call("AssignVolume", ["VolumeId": .string(volume), "InstanceId": .string(instance)])
            try harness.call("DeleteInstance", ["InstanceId": .string(instance), "DeleteElasticIp": .bool(release), "DeleteVolumes": .bool(release)])
        }
        let addresses = try harness.call("DescribeElasticIps", ["StackId": .string(stack)])["ElasticIps"]?.arrayValue ?? []
        #expect(addresses.map { $0.objectValue?.string("Ip") } == ["203.0.113.1"])
        #expect(addresses.first?.objectValue?["InstanceId"] == nil)
        let volumes = try harness.call("DescribeVolumes", ["StackId": .string(stack)])["Volumes"]?.arrayValue ?? []
        #expect(volumes.map { $0.objectValue?.string("Ec2VolumeId") } == ["vol-00000000"])
        #expect(volumes.first?.objectValue?.string("Status") == "available")
    }

    @Test func deleteStackDeregistersEverythingInOneWrite() throws {
        let harness = try Harness.make()
        let stack = try harness.stack()
        try harness.call("RegisterElasticIp", ["ElasticIp": "203.0.113.7", "StackId": .string(stack)])
        try harness.call("RegisterRdsDbInstance", ["StackId": .string(stack), "RdsDbInstanceArn": "arn:aws:rds:us-east-1:000000000000:db:d", "DbUser": "u", "DbPassword": "p"])
        try harness.call("DeleteStack", ["StackId": .string(stack)])
        #expect(harness.error("DescribeElasticIps", ["Ips": ["203.0.113.7"]])?.code == .resourceNotFound)
        let next = try harness.stack("next")
        try harness.call("RegisterRdsDbInstance", ["StackId": .string(next), "RdsDbInstanceArn": "arn:aws:rds:us-east-1:000000000000:db:d", "DbUser": "u", "DbPassword": "p"])
    }
}
