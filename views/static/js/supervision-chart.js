// Rates against targets by org (issue 15): a progressive enhancement over the tables of
// /supervision. Reads the JSON block #h9-chart-data; without this script (or ECharts)
// the page is the same tables.
(function () {
  'use strict';
  function start() {
    var box = document.getElementById('h9-chart-box');
    var src = document.getElementById('h9-chart-data');
    if (!box || !src || typeof window.echarts === 'undefined') { return; }
    var data;
    try { data = JSON.parse(src.textContent); } catch (e) { return; }
    if (!data.orgs || data.orgs.length === 0) { return; }
    var pick = document.createElement('select');
    pick.setAttribute('aria-label', data.labels.rate);
    data.indicators.forEach(function (ind) {
      var o = document.createElement('option');
      o.value = ind.key; o.textContent = ind.name;
      pick.appendChild(o);
    });
    box.parentNode.insertBefore(pick, box);
    box.style.height = Math.max(260, 36 * data.orgs.length + 80) + 'px';
    var chart = window.echarts.init(box, null, { renderer: 'svg' });
    function draw() {
      var key = pick.value;
      var fr = data.fractions[key] || [];
      chart.setOption({
        animation: false,
        grid: { left: 8, right: 56, top: 28, bottom: 8, containLabel: true },
        legend: { data: [data.labels.rate, data.labels.target], top: 0 },
        tooltip: {
          trigger: 'axis', axisPointer: { type: 'shadow' },
          formatter: function (ps) {
            var i = ps[0].dataIndex, f = fr[i] || { num: 0, den: 0 };
            var v = data.values[key][i], t = data.targets[key][i];
            return data.orgs[i] + '<br>' + data.labels.rate + ': ' + (v === null ? '—' : v + '%') + ' (' + f.num + '/' + f.den + ')' +
              '<br>' + data.labels.target + ': ' + (t === null ? '—' : t + '%');
          }
        },
        xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
        yAxis: { type: 'category', data: data.orgs, inverse: true },
        series: [
          { name: data.labels.rate, type: 'bar', barMaxWidth: 36, itemStyle: { color: '#4e6fd8' }, data: data.values[key], label: { show: true, position: 'right', formatter: '{c}%' } },
          { name: data.labels.target, type: 'scatter', symbol: 'rect', symbolSize: [5, 30], itemStyle: { color: '#b91c1c' }, data: data.targets[key], z: 3 }
        ]
      }, true);
    }
    pick.addEventListener('change', draw);
    window.addEventListener('resize', function () { chart.resize(); });
    draw();
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
