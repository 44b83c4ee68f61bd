import Augment

extension OpenCLWarp {
    /// The `warp.cl` define that selects how the final pass stores its values: `DST_U8`
    /// (`u8_from_unit`), `DST_F16` (`vstore_half_rte`, round to nearest even) or `DST_F32`.
    static func destinationDefine(_ type: PixelType) -> String {
        switch type {
        case .uint8: return "DST_U8"
        case .float16: return "DST_F16"
        case .float32: return "DST_F32"
        }
    }
}
