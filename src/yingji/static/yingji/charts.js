// Charts: every <div class="chart"> becomes an Apache ECharts chart (canvas), drawn from
// the JSON <script id="<div's id>-data"> beside it (templates/_chart.html writes both):
//   {type: "bar" | "line" | "pie", categories: [...], horizontal, stack, percent,
//    series: [{name, data: [{value, url?}, ...]}, ...]}
// A null value is a gap, not a zero. A click on an item with a url ("/..." on this site
// only) goes there. Every text in the spec is data: the tooltip is built from text nodes
// and the rest is drawn on the canvas, so nothing in it can become markup.
// window.yingjiCharts.init(root) sets up charts added later; htmx swaps are handled here.
(function () {
  "use strict";
  var live = [];
  // Calm colours near the stylesheet's (the outline blue, the accent red, the ok green),
  // alternating dark and light so that neighbours stay apart when printed in grey.
  var PALETTE = [
    "#1f5fa8",
    "#e3a33b",
    "#b3261e",
    "#8db8e0",
    "#1a7f37",
    "#cfc8b8",
    "#6b4fbb",
    "#59636e",
  ];
  var INK = "#1b1f24";
  var MUTED = "#59636e";
  var LINE = "#d0d7de";
  // A4 portrait less the margins, in CSS pixels: the widest a chart can print.
  var PRINT_WIDTH = 680;

  function noop() {}

  if (!window.echarts) {
    window.yingjiCharts = { init: noop, get: noop };
    return;
  }

  function readSpec(element) {
    var source = element.id && document.getElementById(element.id + "-data");
    if (!source) {
      return null;
    }
    try {
      var spec = JSON.parse(source.textContent);
      return spec && typeof spec === "object" ? spec : null;
    } catch (error) {
      return null;
    }
  }

  // Only a path on this site: "/x", never "//host", "/\\host" or a scheme.
  function sameOrigin(url) {
    if (typeof url !== "string" || url.charAt(0) !== "/" || /^\/[\/\\]/.test(url)) {
      return null;
    }
    try {
      var target = new URL(url, window.location.origin);
      return target.origin === window.location.origin ? url : null;
    } catch (error) {
      return null;
    }
  }

  function value(item) {
    var raw = item && typeof item === "object" ? item.value : item;
    if (raw === null || raw === undefined || raw === "") {
      return null;
    }
    var number = Number(raw);
    return isFinite(number) ? number : null;
  }

  function text(raw) {
    return raw === null || raw === undefined ? "" : String(raw);
  }

  function formatter(percent) {
    return function (number) {
      if (number === null || number === undefined || number === "" || !isFinite(number)) {
        return "—";
      }
      if (percent) {
        return Math.round(Number(number) * 10) / 10 + "%";
      }
      return Number(number).toLocaleString("zh-CN");
    };
  }

  // One data item as ECharts takes it: a pointer and the url only where there is a url.
  function item(raw, name) {
    var entry = { value: value(raw) };
    var url = sameOrigin(raw && typeof raw === "object" ? raw.url : null);
    entry.cursor = url ? "pointer" : "default";
    if (url) {
      entry.url = url;
    }
    if (name !== undefined) {
      entry.name = name;
    }
    return entry;
  }

  function tooltip(show) {
    return {
      trigger: "item",
      confine: true,
      backgroundColor: "#fff",
      borderColor: LINE,
      textStyle: { color: INK, fontSize: 13 },
      // Text nodes: a category or series name is shown as written, never as markup.
      formatter: function (params) {
        var box = document.createElement("div");
        var head = document.createElement("div");
        head.style.fontWeight = "600";
        var pie = params.seriesType === "pie";
        head.textContent = pie ? text(params.seriesName) : text(params.name);
        var line = document.createElement("div");
        var swatch = document.createElement("span");
        swatch.style.cssText =
          "display:inline-block;width:.7em;height:.7em;border-radius:2px;margin-inline-end:.4em;";
        swatch.style.background = typeof params.color === "string" ? params.color : MUTED;
        line.appendChild(swatch);
        var label = pie ? text(params.name) : text(params.seriesName);
        line.appendChild(document.createTextNode(label ? label + "：" : ""));
        var figure = document.createElement("strong");
        figure.textContent = show(params.value);
        line.appendChild(figure);
        if (pie && isFinite(params.percent)) {
          line.appendChild(document.createTextNode("（" + params.percent + "%）"));
        }
        box.appendChild(head);
        box.appendChild(line);
        return box;
      },
    };
  }

  function legend(names) {
    return {
      show: true,
      top: 0,
      type: "scroll",
      data: names,
      textStyle: { color: INK },
      itemWidth: 14,
      itemHeight: 10,
    };
  }

  function pieOption(spec, show) {
    var first = (spec.series || [])[0] || {};
    var data = [];
    (first.data || []).forEach(function (raw, index) {
      var name = text(raw && raw.name !== undefined ? raw.name : (spec.categories || [])[index]);
      var entry = item(raw, name);
      if (entry.value !== null) {
        data.push(entry);
      }
    });
    return {
      color: PALETTE,
      animation: false,
      tooltip: tooltip(show),
      legend: legend(
        data.map(function (entry) {
          return entry.name;
        })
      ),
      series: [
        {
          type: "pie",
          name: text(first.name),
          radius: ["0%", "62%"],
          center: ["50%", "56%"],
          cursor: "default",
          data: data,
          itemStyle: { borderColor: "#fff", borderWidth: 1 },
          label: {
            color: INK,
            formatter: function (params) {
              return params.name + " " + show(params.value);
            },
          },
        },
      ],
    };
  }

  function axesOption(spec, show) {
    var categories = (spec.categories || []).map(text);
    // Figures on the bars when there is room: a printed chart has no tooltip.
    var labelled = categories.length * (spec.series || []).length <= 24;
    var series = (spec.series || []).map(function (raw, index) {
      var data = (raw.data || []).map(function (entry) {
        return item(entry);
      });
      var one = {
        type: spec.type === "line" ? "line" : "bar",
        name: text(raw.name) || String(index + 1),
        cursor: "default",
        data: data,
        emphasis: { focus: "series" },
      };
      if (one.type === "line") {
        one.symbolSize = 7;
        one.connectNulls = false;
        one.lineStyle = { width: 2, type: index % 2 ? "dashed" : "solid" };
      } else {
        one.barMaxWidth = 36;
        if (spec.stack) {
          one.stack = "all";
        }
        one.label = {
          show: labelled,
          position: spec.stack ? "inside" : spec.horizontal ? "right" : "top",
          color: spec.stack ? "#fff" : INK,
          textBorderColor: spec.stack ? "rgba(0,0,0,.45)" : "transparent",
          textBorderWidth: spec.stack ? 2 : 0,
          fontSize: 11,
          formatter: function (params) {
            var empty = params.value === null || (spec.stack && params.value === 0);
            return empty ? "" : show(params.value);
          },
        };
      }
      return one;
    });
    var valueAxis = {
      type: "value",
      axisLabel: { color: MUTED, formatter: show },
      splitLine: { lineStyle: { color: LINE } },
    };
    if (spec.percent) {
      valueAxis.min = 0;
      valueAxis.max = 100;
    }
    var categoryAxis = {
      type: "category",
      data: categories,
      axisLabel: { color: INK, hideOverlap: true },
      axisLine: { lineStyle: { color: MUTED } },
      axisTick: { alignWithLabel: true },
      inverse: !!spec.horizontal, // the first category on top, as it is read
    };
    var several = series.length > 1;
    return {
      color: PALETTE,
      animation: false,
      tooltip: tooltip(show),
      legend: several
        ? legend(
            series.map(function (one) {
              return one.name;
            })
          )
        : { show: false },
      grid: {
        left: 8,
        right: spec.horizontal && labelled && !spec.stack ? 56 : 24, // room for "100%"
        top: several ? 36 : 16,
        bottom: 8,
        containLabel: true,
      },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: series,
    };
  }

  function hasFigures(spec) {
    return (spec.series || []).some(function (one) {
      return (one.data || []).some(function (entry) {
        return value(entry) !== null;
      });
    });
  }

  function setUp(element) {
    if (element._yingjiChart !== undefined) {
      return element._yingjiChart;
    }
    element._yingjiChart = null;
    var spec = readSpec(element);
    if (!spec || !hasFigures(spec)) {
      var note = document.createElement("p");
      note.className = "chart-empty";
      note.textContent = element.getAttribute("data-label-empty") || "";
      element.appendChild(note);
      if (note.textContent) {
        element.setAttribute(
          "aria-label",
          (element.getAttribute("aria-label") || "") + "：" + note.textContent
        );
      }
      element.style.height = "auto"; // a sentence needs no room for a chart
      element.setAttribute("data-chart-ready", "empty");
      return null;
    }
    var show = formatter(!!spec.percent);
    var chart = window.echarts.init(element, null, {
      renderer: "canvas",
      // Sharp enough on paper too.
      devicePixelRatio: Math.max(2, window.devicePixelRatio || 1),
    });
    var option = spec.type === "pie" ? pieOption(spec, show) : axesOption(spec, show);
    option.textStyle = { fontFamily: window.getComputedStyle(element).fontFamily || "sans-serif" };
    chart.setOption(option);
    chart.on("click", function (params) {
      var url = sameOrigin(params && params.data && params.data.url);
      if (url) {
        window.location.assign(url);
      }
    });
    element._yingjiChart = chart;
    live.push(element);
    // A chart laid out while hidden or resized with its panel (not the window) redraws.
    if (window.ResizeObserver) {
      var watcher = new ResizeObserver(function () {
        if (!chart.isDisposed()) {
          chart.resize();
        }
      });
      watcher.observe(element);
      element._yingjiWatcher = watcher;
    }
    element.setAttribute("data-chart-ready", "true");
    return chart;
  }

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var found = scope.querySelectorAll("div.chart");
    for (var i = 0; i < found.length; i += 1) {
      setUp(found[i]);
    }
    if (scope.matches && scope.matches("div.chart")) {
      setUp(scope);
    }
  }

  // Charts whose element htmx took out of the page are released with it.
  function release() {
    live = live.filter(function (element) {
      if (document.body.contains(element)) {
        return true;
      }
      if (element._yingjiWatcher) {
        element._yingjiWatcher.disconnect();
      }
      element._yingjiChart.dispose();
      element._yingjiChart = undefined;
      return false;
    });
  }

  function each(action) {
    live.forEach(function (element) {
      var chart = element._yingjiChart;
      if (chart && !chart.isDisposed()) {
        action(chart, element);
      }
    });
  }

  window.yingjiCharts = {
    init: init,
    get: function (element) {
      return element._yingjiChart || null;
    },
  };
  function swapped(event) {
    release();
    init(event.target);
  }
  document.addEventListener("htmx:afterSwap", swapped);
  document.addEventListener("htmx:after:settle", swapped);
  window.addEventListener("resize", function () {
    each(function (chart) {
      chart.resize();
    });
  });
  window.addEventListener("beforeprint", function () {
    each(function (chart, element) {
      chart.resize({ width: Math.min(element.clientWidth, PRINT_WIDTH), height: "auto" });
    });
  });
  window.addEventListener("afterprint", function () {
    each(function (chart) {
      chart.resize({ width: "auto", height: "auto" });
    });
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
})();
