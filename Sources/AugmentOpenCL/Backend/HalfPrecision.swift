import Augment

extension OpenCLWarp {
    /// The `warp.cl` define that selects how the final pass stores its values: `DST_U8`
    /// (`u8_from_unit`), `DST_F16` (`vstore_half_rte`, round to nearest even), `DST_U16`
    /// (`u16_from_float`: clamp to 0...65535, round to nearest even) or `DST_F32`.
    static func destinationDefine(_ type: PixelType) -> String {
        switch type {
        case .uint8: return "DST_U8"
        case .float16: return "DST_F16"
        case .float32: return "DST_F32"
        case .uint16: return "DST_U16"
        }
    }

    /// The `warp.cl` define that selects how a warp reads its input: `SRC_U8` (times 1/255),
    /// `SRC_U16` (raw values) or `SRC_F32`. float16 inputs are refused before any launch.
    static func sourceDefine(_ type: PixelType) -> String {
        switch type {
        case .uint8: return "SRC_U8"
        case .uint16: return "SRC_U16"
        case .float32, .float16: return "SRC_F32"
        }
    }

    /// The element-type, layout, channel and epilogue defines every `warp.cl` image kernel takes
    /// (`warp_remap` and `warp_general` add their own on top).
    static func imageDefines(
        input: PixelType, inputLayout: ImageLayout, output: OutputFormat, channels: Int, hasEpilogue: Bool
    ) -> [String: String] {
        [
            sourceDefine(input): "",
            inputLayout == .nhwc ? "SRC_NHWC" : "SRC_NCHW": "",
            destinationDefine(output.pixelType): "",
            output.layout == .nhwc ? "DST_NHWC" : "DST_NCHW": "",
            "CHANNELS": "\(channels)",
            "HAS_EPILOGUE": hasEpilogue ? "1" : "0",
        ]
    }
}
