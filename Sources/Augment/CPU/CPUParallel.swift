import Dispatch

/// A raw pointer handed to the worker threads of one parallel pass. Each worker writes a disjoint
/// range of elements, and the pass ends before the owning array is touched again.
struct SharedPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
}

/// A read-only raw pointer shared by the worker threads of one parallel pass.
struct SharedReadPointer<Element>: @unchecked Sendable {
    let base: UnsafePointer<Element>
}

enum CPUParallel {
    /// Runs `body(i)` for i in 0..<iterations on every core; returns when all have finished.
    static func forEach(_ iterations: Int, _ body: @Sendable (Int) -> Void) {
        guard iterations > 0 else { return }
        if iterations == 1 {
            body(0)
            return
        }
        DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
    }

    /// Fills a new array of `count` elements in parallel: `body(pointer, i)` writes the elements of
    /// job i, jobs write disjoint elements, and every element starts as `initial`.
    static func makeArray<Element: Sendable>(
        count: Int, initial: Element, jobs: Int, _ body: @Sendable (SharedPointer<Element>, Int) -> Void
    ) -> [Element] {
        var output = [Element](repeating: initial, count: count)
        output.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let shared = SharedPointer(base: base)
            forEach(jobs) { body(shared, $0) }
        }
        return output
    }
}
