import Foundation

/// The geometry of an SVG chart, computed here and drawn by the `chart-line` and `chart-bars`
/// templates (so every label passes the template engine's escaping). Charts have a title, a
/// text description for screen readers, labelled axes, and the numbers as a table below.
struct Chart {
    static let width = 720.0
    static let height = 240.0
    static let left = 48.0
    static let right = 28.0
    static let top = 24.0
    static let bottom = 36.0
    static var plotWidth: Double { width - left - right }
    static var plotHeight: Double { height - top - bottom }

    /// A series of a line chart.
    struct Series {
        var name: String
        /// CSS class: the colour.
        var style: String
        var values: [Double]
    }

    /// A line chart over `labels` (one x position per label, e.g. per day).
    static func line(
        id: String, title: String, description: String, axes: (x: String, y: String), labels: [String], series: [Series], unit: String
    ) -> [String: Any] {
        let maxValue = axisMaximum(series.flatMap(\.values).max() ?? 0)
        let n = max(labels.count, 1)
        func x(_ i: Int) -> Double { left + (n == 1 ? plotWidth / 2 : plotWidth * Double(i) / Double(n - 1)) }
        func y(_ v: Double) -> Double { top + plotHeight * (1 - (maxValue == 0 ? 0 : v / maxValue)) }
        // A dot per value on the first series only: the other lines are context, and the values
        // are in the table below the chart.
        let drawn: [[String: Any]] = series.enumerated().map { k, s in
            let points = s.values.enumerated().map { "\(fmt(x($0.offset))),\(fmt(y($0.element)))" }.joined(separator: " ")
            let dots: [[String: Any]] = k > 0 ? [] : s.values.enumerated().map { i, v in ["cx": fmt(x(i)), "cy": fmt(y(v))] }
            return ["name": s.name, "style": s.style, "points": points, "dots": dots]
        }
        let legend = series.map { ["name": $0.name, "style": $0.style] }
        let rows: [[String: Any]] = labels.enumerated().map { i, label in
            ["label": label, "cells": series.map { ["value": number($0.values.indices.contains(i) ? $0.values[i] : 0)] }]
        }
        return base(id: id, title: title, description: description, maxValue: maxValue, labels: labels, x: x)
            .merging(["xTitle": axes.x, "yTitle": axes.y]) { $1 }
            .merging(["series": drawn, "rows": rows, "headers": series.map { ["name": $0.name] }, "legend": legend, "unit": unit]) { $1 }
    }

    /// A stacked bar chart: one bar per label, one segment per series.
    static func bars(id: String, title: String, description: String, axes: (x: String, y: String), labels: [String], series: [Series])
        -> [String: Any]
    {
        let totals = labels.indices.map { i in series.reduce(0.0) { $0 + ($1.values.indices.contains(i) ? $1.values[i] : 0) } }
        let maxValue = axisMaximum(totals.max() ?? 0)
        let n = max(labels.count, 1)
        let slot = plotWidth / Double(n)
        func x(_ i: Int) -> Double { left + slot * (Double(i) + 0.5) }
        var rects: [[String: Any]] = []
        for i in labels.indices {
            var base = 0.0
            for s in series {
                let v = s.values.indices.contains(i) ? s.values[i] : 0
                guard v > 0, maxValue > 0 else { continue }
                let h = plotHeight * v / maxValue
                let yTop = top + plotHeight * (1 - (base + v) / maxValue)
                rects.append([
                    "x": fmt(left + slot * Double(i) + slot * 0.15), "y": fmt(yTop), "w": fmt(slot * 0.7), "h": fmt(h), "style": s.style,
                    "tip": "\(labels[i]) \(s.name): \(number(v))",
                ])
                base += v
            }
        }
        let rows: [[String: Any]] = labels.enumerated().map { i, label in
            ["label": label, "cells": series.map { ["value": number($0.values.indices.contains(i) ? $0.values[i] : 0)] }]
        }
        return base(id: id, title: title, description: description, maxValue: maxValue, labels: labels, x: x)
            .merging(["xTitle": axes.x, "yTitle": axes.y]) { $1 }
            .merging([
                "rects": rects, "rows": rows, "headers": series.map { ["name": $0.name] },
                "legend": series.map { ["name": $0.name, "style": $0.style] }, "unit": "",
            ]) { $1 }
    }

    private static func base(id: String, title: String, description: String, maxValue: Double, labels: [String], x: (Int) -> Double)
        -> [String: Any]
    {
        let yTicks: [[String: Any]] = (0...4).map { k in
            let v = maxValue * Double(k) / 4
            return ["y": fmt(top + plotHeight * (1 - Double(k) / 4)), "ty": fmt(top + plotHeight * (1 - Double(k) / 4) + 4), "label": number(v)]
        }
        // At most eight x labels, evenly spaced; the last one too unless it would overlap.
        let step = max(1, Int((Double(labels.count) / 8).rounded(.up)))
        let last = labels.count - 1
        let xTicks: [[String: Any]] = labels.indices.filter { $0 % step == 0 || ($0 == last && last % step >= (step + 1) / 2) }.map { i in
            ["x": fmt(x(i)), "label": String(labels[i].suffix(5))]
        }
        return [
            "id": id, "title": title, "description": description, "width": fmt(width), "height": fmt(height),
            "viewBox": "0 0 \(fmt(width)) \(fmt(height))", "left": fmt(left), "right": fmt(width - right), "top": fmt(top),
            "bottom": fmt(height - bottom), "labelY": fmt(height - bottom + 16), "yTicks": yTicks, "xTicks": xTicks,
            "titleY": fmt(top - 10),
        ]
    }

    /// The top of the value axis: four ticks of 1, 2 or 5 times a power of ten (whole numbers
    /// at least), so every tick label is a round number.
    static func axisMaximum(_ v: Double) -> Double {
        let quarter = max(v / 4, 1)
        let p = pow(10, floor(log10(quarter)))
        for m in [1.0, 2, 5, 10] where m * p >= quarter { return 4 * m * p }
        return 40 * p
    }

    /// One decimal, without `String(format:)` (it dominated drawing a chart).
    static func fmt(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return (tenths < 0 ? "-" : "") + "\(abs(tenths) / 10).\(abs(tenths) % 10)"
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : fmt(v)
    }
}
