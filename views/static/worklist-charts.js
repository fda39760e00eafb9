// The supervision charts (issue 15, docs/worklist.md). The page carries its data in
// <script type="application/json" id="wl-charts"> and its translated labels in the
// data-* attributes of #wl-labels; this file only draws. Every chart has its table in
// the <details> below it, so nothing depends on this script.
(function () {
  'use strict';
  var dataEl = document.getElementById('wl-charts');
  var labelsEl = document.getElementById('wl-labels');
  if (!dataEl || !labelsEl || typeof echarts === 'undefined') { return; }
  var d = JSON.parse(dataEl.textContent || '{}');
  var L = labelsEl.dataset;
  var en = L.lang === 'en';
  var charts = [];
  function pct(bp) { return Math.round(bp) / 100; } // basis points → percent, 2 decimals
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = echarts.init(el, null, { renderer: 'svg' });
    c.setOption(option);
    charts.push(c);
  }
  var narrow = window.matchMedia('(max-width: 600px)').matches;

  var votes = d.votes || [];
  if (votes.length) {
    var names = votes.map(function (v) { return v.EstateName + ' · ' + v.Title; });
    draw('chart-participation', {
      tooltip: { trigger: 'axis', valueFormatter: function (x) { return x + '%'; } },
      legend: { top: 0 },
      grid: { left: narrow ? 90 : 200, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      yAxis: { type: 'category', data: names, axisLabel: { width: narrow ? 80 : 190, overflow: 'truncate' } },
      series: [
        { name: L.area, type: 'bar', data: votes.map(function (v) { return pct(v.AreaShare); }) },
        { name: L.head, type: 'bar', data: votes.map(function (v) { return pct(v.HeadcountShare); }) },
        { name: L.qarea, type: 'scatter', symbol: 'rect', symbolSize: [4, 44], data: votes.map(function (v) { return pct(v.QuorumAreaShare); }) },
        { name: L.qhead, type: 'scatter', symbol: 'rect', symbolSize: [4, 44], data: votes.map(function (v) { return pct(v.QuorumHeadShare); }) }
      ]
    });
    var totals = {};
    votes.forEach(function (v) { totals[v.VoteID] = v.Participation.TotalHeadcount; });
    draw('chart-curve', {
      tooltip: { trigger: 'axis', valueFormatter: function (x) { return x + '%'; } },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 50, right: 20, top: 40, bottom: 40 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', max: 100, name: L.head, axisLabel: { formatter: '{value}%' } },
      series: (d.curves || []).map(function (c) {
        var total = totals[c.vote_id] || 0;
        return { name: c.title, type: 'line', step: 'end', showSymbol: false,
          data: c.points.map(function (p) { return [p.At, total ? Math.round(p.Headcount * 10000 / total) / 100 : 0]; }) };
      })
    });
  }

  var complaints = d.complaints || [];
  draw('chart-complaints', {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: complaints.map(function (s) { return en ? s.label_en : s.label; }) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: L.timely, type: 'bar', stack: 'n', data: complaints.map(function (s) { return s.on_time; }) },
      { name: L.overdue, type: 'bar', stack: 'n', data: complaints.map(function (s) { return s.overdue; }) }
    ]
  });

  var stages = d.formation || [];
  var stageNames = [];
  document.querySelectorAll('#chart-formation + details tbody td:first-child').forEach(function (td) { stageNames.push(td.textContent); });
  draw('chart-formation', {
    tooltip: { trigger: 'axis' },
    grid: { left: narrow ? 110 : 260, right: 20, top: 10, bottom: 30 },
    xAxis: { type: 'value', minInterval: 1, name: L.estates },
    yAxis: { type: 'category', inverse: true, data: stages.map(function (s, i) { return stageNames[i] || s.Label; }),
      axisLabel: { width: narrow ? 100 : 250, overflow: 'truncate' } },
    series: [{ type: 'bar', data: stages.map(function (s) { return s.Count; }) }]
  });

  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
}());
