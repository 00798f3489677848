import Foundation

/// The nearest-rank percentile `p` (0...100) of `values`; 0 for none.
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * p / 100).rounded()))
    return sorted[index]
}

/// A figure as the benchmark prints it: two decimals.
func twoPlaces(_ value: Double) -> String { String(format: "%.2f", value) }
