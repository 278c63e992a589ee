/// The plane loop shared by the depthwise row kernels: output planes split across threads, one
/// zeroed scratch buffer per thread that `fill` rewrites with the input plane (only when it changes:
/// with a channel multiplier, consecutive output channels read the same input), and the output
/// channel's `taps` weights broadcast to SIMD8 for `body`.
enum DepthwisePlaneLoop {
    /// What `body` gets for one output plane.
    struct Plane {
        let scratch: UnsafePointer<Float>
        let taps: UnsafePointer<SIMD8<Float>>
        let bias: SIMD8<Float>
        let out: UnsafeMutablePointer<Float>
    }

    static func run(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                    out: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, multiplier m: Int, scratchCount: Int,
                    fill: (_ scratch: UnsafeMutablePointer<Float>, _ inputPlane: UnsafePointer<Float>) -> Void,
                    body: (Plane) -> Void) {
        let outChannels = g.channels * m, taps = g.taps
        let px = UncheckedSendable(x), pw = UncheckedSendable(weight), po = UncheckedSendable(out)
        let pb = UncheckedSendable(bias)
        Parallel.forRanges(g.batch * outChannels, costPerItem: g.planeOut * taps) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
            let broadcast = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: taps)
            defer { scratch.deallocate(); broadcast.deallocate() }
            scratch.initialize(repeating: 0, count: scratchCount)
            var lastPlane = -1
            for plane in range {
                let n = plane / outChannels, oc = plane % outChannels
                let inputPlane = n * g.channels + oc / m
                if inputPlane != lastPlane {
                    fill(scratch, px.value + inputPlane * g.planeIn)
                    lastPlane = inputPlane
                }
                for t in 0..<taps { broadcast[t] = SIMD8(repeating: pw.value[oc * taps + t]) }
                body(Plane(scratch: scratch, taps: broadcast, bias: SIMD8(repeating: pb.value?[oc] ?? 0),
                           out: po.value + plane * g.planeOut))
            }
        }
    }
}
