// uint16 images (depth maps in millimetres, 16-bit PNGs read with their 16 bits) and the rules
// colour ops follow on them. See docs/semantics.md, "Depth and multispectral images".

extension AugmentError {
    /// The error for a colour op given uint16 input: the values are raw (depth in millimetres,
    /// 16-bit sensor counts), not colours on torchvision's [0, 1] scale.
    public static func uint16ColorInput(op: String) -> AugmentError {
        .incompatible(
            "\(op): colour ops do not apply to uint16 images: their values are raw (e.g. depth in millimetres), not colours on the [0, 1] scale. Use geometric ops, gaussian_noise and random_dropout on depth; for a 16-bit colour image, convert it to float32 in [0, 1] first (divide by 65535) or read the PNG with 8 bits"
        )
    }
}
