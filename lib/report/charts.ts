// Charts as standalone SVG strings, rendered by Apache ECharts on the server
// side (no DOM, no canvas): the same files serve the HTML report, the docs
// and anyone who opens them alone.
import * as echarts from "echarts"

export interface Series {
  readonly name: string
  /** [x, y] points. */
  readonly points: ReadonlyArray<readonly [number, number]>
  /** A reference line (the ideal): dashed, no markers. */
  readonly reference?: boolean
  /** Holds its value until the next point (a count over time). */
  readonly step?: boolean
}

export interface LineChart {
  readonly title: string
  readonly xName: string
  readonly yName: string
  readonly series: ReadonlyArray<Series>
  readonly width?: number
  readonly height?: number
}

export interface BarChart {
  readonly title: string
  readonly categories: ReadonlyArray<string>
  readonly yName: string
  readonly values: ReadonlyArray<number>
  /** A horizontal reference (a lower bound), drawn as a dashed line. */
  readonly reference?: { readonly name: string; readonly value: number }
  readonly width?: number
  readonly height?: number
}

const palette = ["#2f6fde", "#e4572e", "#17a398", "#9b5de5", "#f2a541"]

const render = (option: echarts.EChartsOption, width = 680, height = 420): string => {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height })
  chart.setOption({ animation: false, color: palette, textStyle: { fontFamily: "sans-serif" }, ...option })
  const svg = chart.renderToSVGString()
  chart.dispose()
  return svg.replace(/^<svg[^>]*>/, (open) => `${open}\n<style>${condensed}</style>`)
}

// ECharts lays text out by Arial's widths (it has no fonts to measure on a server).
// Linux's usual sans-serif, DejaVu Sans, is ~14% wider: legend names run into the
// next entry. Its condensed face is within ~3% of Arial; fonts without one (Arial,
// Helvetica, Roboto) are drawn as they are.
const condensed = "text { font-stretch: condensed; }"

const title = (text: string) => ({ text, left: "center", top: 8, textStyle: { fontSize: 15 } })

/** Lines over numeric axes: speed-up against workers, workers against time. */
export const lineChart = (c: LineChart): string =>
  render(
    {
      title: title(c.title),
      legend: { bottom: 4 },
      grid: { top: 48, left: 64, right: 32, bottom: 84 },
      xAxis: { type: "value", name: c.xName, nameLocation: "middle", nameGap: 28, minInterval: 1, min: "dataMin", max: "dataMax" },
      yAxis: { type: "value", name: c.yName, nameLocation: "middle", nameGap: 42, minInterval: 1 },
      series: c.series.map((s) => ({
        name: s.name,
        type: "line",
        data: s.points.map(([x, y]) => [x, y]),
        step: s.step === true ? "end" : false,
        showSymbol: s.reference !== true && s.step !== true,
        lineStyle: s.reference === true ? { type: "dashed", color: "#888" } : { width: 2 },
        itemStyle: s.reference === true ? { color: "#888" } : {}
      }))
    },
    c.width,
    c.height
  )

/** One bar per category, with an optional dashed reference line across. */
export const barChart = (c: BarChart): string =>
  render(
    {
      title: title(c.title),
      legend: c.reference === undefined ? { show: false } : { bottom: 4 },
      grid: { top: 48, left: 72, right: 32, bottom: 84 },
      xAxis: { type: "category", data: [...c.categories], axisLabel: { interval: 0, rotate: c.categories.length > 4 ? 20 : 0 } },
      yAxis: { type: "value", name: c.yName, nameLocation: "middle", nameGap: 52 },
      series: [
        {
          name: c.yName,
          type: "bar",
          data: [...c.values],
          label: { show: true, position: "top", formatter: (p: { value: unknown }) => Number(p.value).toLocaleString("en-US") }
        },
        ...(c.reference === undefined ? [] : [{
          name: c.reference.name,
          type: "line" as const,
          data: c.categories.map(() => c.reference!.value),
          showSymbol: false,
          lineStyle: { type: "dashed" as const, color: "#888" },
          itemStyle: { color: "#888" }
        }])
      ]
    },
    c.width,
    c.height
  )
