/// Half-precision output (``PixelType/float16``): what the library promises about it.
///
/// Only the final pass of a plan writes float16: it computes the float32 value exactly as for a
/// float32 output and rounds it to the nearest binary16 value, ties to even (Swift's `Float16(x)`,
/// OpenCL's `vstore_half_rte`, which is core OpenCL 1.2 and needs no `cl_khr_fp16`). Values beyond
/// the float16 range become infinities, NaN stays NaN. Every other stage keeps float32, so the two
/// backends agree on float16 outputs exactly whenever they agree on the float32 value.
extension AugmentError {
    /// The error for a float16 batch given as a plan's input.
    public static func float16Input() -> AugmentError {
        .incompatible("float16 images are an output format only; convert the input to float32 (or uint8) first")
    }
}

extension Float16 {
    /// The distance to the next larger float16 value of the same sign (the unit in the last place).
    public var halfULP: Float { Float(self.ulp) }
}
