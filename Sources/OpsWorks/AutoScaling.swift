import AWSJSON

/// Load-based automatic scaling of a layer: kept as configured; the emulator starts and stops
/// nothing by it (nothing measures load here).
extension OpsWorksService {
    /// What a layer never configured answers: disabled, with the thresholds of the service's own
    /// sample output and Terraform's schema defaults (ops-behaviour §2).
    static let defaultLoadBasedScaling = JSONObject([
        ("Enable", .bool(false)),
        ("UpScaling", thresholds(waitMinutes: 5, cpu: 80)),
        ("DownScaling", thresholds(waitMinutes: 10, cpu: 30)),
    ])

    private static func thresholds(waitMinutes: Int64, cpu: Double) -> JSON {
        .object(JSONObject([
            ("InstanceCount", .int(1)), ("ThresholdsWaitTime", .int(waitMinutes)),
            ("IgnoreMetricsTime", .int(waitMinutes)), ("CpuThreshold", .double(cpu)),
        ]))
    }

    func describeLoadBasedAutoScaling(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let layerIds = input.strings("LayerIds") ?? []
        let configurations = try store.read(scope) { records in
            try layerIds.map { layerId -> JSON in
                _ = try records.require(.layer, layerId)
                let stored = try records.loadBasedScaling(ofLayer: layerId) ?? Self.defaultLoadBasedScaling
                return .object(JSONObject([("LayerId", .string(layerId))]).merging(stored))
            }
        }
        return Self.list("LoadBasedAutoScalingConfigurations", configurations)
    }

    func setLoadBasedAutoScaling(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let layerId = input.string("LayerId") ?? ""
        for member in ["UpScaling", "DownScaling"] {
            if let alarms = input.object(member)?.strings("Alarms"), alarms.count > 5 {
                throw AWSError.validation("\(member): at most 5 alarms, not \(alarms.count)")
            }
        }
        try store.write(scope) { records in
            let layer = try records.require(.layer, layerId)
            let stack = try records.require(.stack, layer.string("StackId") ?? "")
            if Self.isWindows(stack.string("DefaultOs") ?? "") {
                throw AWSError.validation("Windows-based stacks cannot use load-based automatic scaling.")
            }
            // A given UpScaling or DownScaling replaces the stored one; what is not given stays.
            var configuration = try records.loadBasedScaling(ofLayer: layerId) ?? Self.defaultLoadBasedScaling
            for member in ["Enable", "UpScaling", "DownScaling"] {
                if let value = input[member] { configuration[member] = value }
            }
            try records.setLoadBasedScaling(ofLayer: layerId, configuration)
        }
        return JSONObject()
    }
}
