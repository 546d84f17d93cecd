import { createHash } from 'node:crypto';

/*
 * The dashboard: one static page, kept as a module so it bundles into the Lambda.
 * Plain HTML/CSS/JS (no CDN, no framework: the platform may run with no network).
 * It holds no data: it asks for a token, keeps it in localStorage and calls the API.
 * The script builds every node with textContent (never innerHTML), and the page is
 * served with a CSP that allows only this script and this style, by hash.
 */

const DASHBOARD_STYLE = String.raw`
:root {
  --done: #1b7a3a; --done-bg: #e2f3e7; --done-bar: #2e9e52;
  --on-track: #1a5fb4; --on-track-bg: #e3edfa; --on-track-bar: #2f7ad8;
  --at-risk: #955800; --at-risk-bg: #fff2d3; --at-risk-bar: #e09b00;
  --behind: #b3261e; --behind-bg: #fde6e4; --behind-bar: #d93a2f;
  --muted: #6b7280; --line: #e5e7eb; --ink: #1f2937; --head: #1f3a5f;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: #f3f4f6; color: var(--ink); font: 14px/1.5 system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; }
header.top { display: flex; justify-content: space-between; align-items: center; gap: 16px; padding: 14px 24px; background: var(--head); color: #fff; }
header.top h1 { margin: 0; font-size: 20px; letter-spacing: 1px; }
header.top .sub { opacity: .85; font-size: 13px; }
.who { font-size: 13px; white-space: nowrap; }
.who button { margin-left: 8px; }
main { padding: 16px 24px 32px; max-width: 1500px; margin: 0 auto; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; margin-bottom: 14px; }
.card h2 { font-size: 16px; margin: 0 0 10px; }
button { font: inherit; padding: 4px 12px; border: 1px solid #cbd5e1; border-radius: 6px; background: #fff; color: var(--ink); cursor: pointer; }
button:hover { background: #f1f5f9; }
button.primary { background: var(--head); border-color: var(--head); color: #fff; }
input { font: inherit; padding: 4px 8px; border: 1px solid #cbd5e1; border-radius: 6px; }
.muted { color: var(--muted); }
.error { color: var(--behind); }
.login { max-width: 720px; margin: 40px auto; }
.login pre { background: #0f172a; color: #e2e8f0; padding: 10px 14px; border-radius: 6px; overflow-x: auto; }
.login form { display: flex; gap: 8px; }
.login input { flex: 1; }
.controls { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; }
.controls label { font-weight: 600; }
.summary-bar { display: flex; height: 26px; border-radius: 6px; overflow: hidden; background: #e5e7eb; }
.summary-bar div { display: flex; align-items: center; justify-content: center; color: #fff; font-weight: 600; font-size: 13px; min-width: 0; overflow: hidden; white-space: nowrap; }
.summary-counts { display: flex; gap: 18px; flex-wrap: wrap; margin-top: 8px; }
.summary-counts b { font-size: 20px; margin-right: 4px; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; margin-top: 10px; font-size: 13px; color: var(--muted); }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.swatch { width: 16px; height: 12px; border-radius: 3px; display: inline-block; border-left: 4px solid transparent; }
.bg-done { background: var(--done-bar); } .bg-on-track { background: var(--on-track-bar); } .bg-at-risk { background: var(--at-risk-bar); } .bg-behind { background: var(--behind-bar); } .bg-unreported { background: #9ca3af; }
.matrix-wrap { overflow: auto; max-height: 78vh; }
table.matrix { border-collapse: separate; border-spacing: 3px; min-width: 100%; }
.matrix thead th { position: sticky; top: 0; z-index: 2; background: #fff; font-size: 13px; padding: 4px 2px; text-align: center; border-bottom: 2px solid var(--line); }
.matrix thead th small { display: block; font-weight: 400; color: var(--muted); font-size: 11px; }
.matrix thead th.city, .matrix td.city-col { box-shadow: inset 0 0 0 2px #94a3b8; }
.matrix th.metric { position: sticky; left: 0; z-index: 1; background: #fff; text-align: left; font-weight: 400; min-width: 250px; max-width: 330px; padding: 4px 8px 4px 0; vertical-align: top; }
.matrix thead th.metric { z-index: 3; }
.metric .code { font: 11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted); }
.metric .name { display: block; font-weight: 600; }
.metric .meta { font-size: 12px; color: var(--muted); }
tr.section td { background: var(--head); color: #fff; font-weight: 600; padding: 6px 10px; border-radius: 4px; }
tr.workpoint td { background: #eef2f7; padding: 5px 10px; border-radius: 4px; font-weight: 600; }
tr.workpoint td .lead { font-weight: 400; color: var(--muted); margin-left: 8px; font-size: 12px; }
tr.workpoint td .none { font-weight: 400; color: var(--muted); margin-left: 8px; font-size: 12px; }
td.cell { min-width: 92px; padding: 4px 6px; border-radius: 4px; vertical-align: top; border-left: 4px solid transparent; font-size: 13px; }
td.cell .v b { font-size: 15px; }
td.cell .v span { color: var(--muted); }
td.cell .bar { height: 5px; border-radius: 3px; background: rgba(0,0,0,.08); margin: 3px 0 2px; overflow: hidden; }
td.cell .bar i { display: block; height: 100%; border-radius: 3px; }
td.cell .s { font-size: 12px; font-weight: 600; }
td.st-done { background: var(--done-bg); border-left-color: var(--done-bar); } td.st-done .s { color: var(--done); } td.st-done .bar i { background: var(--done-bar); }
td.st-on-track { background: var(--on-track-bg); border-left-color: var(--on-track-bar); } td.st-on-track .s { color: var(--on-track); } td.st-on-track .bar i { background: var(--on-track-bar); }
td.st-at-risk { background: var(--at-risk-bg); border-left-color: var(--at-risk-bar); } td.st-at-risk .s { color: var(--at-risk); } td.st-at-risk .bar i { background: var(--at-risk-bar); }
td.st-behind { background: var(--behind-bg); border-left-color: var(--behind-bar); } td.st-behind .s { color: var(--behind); } td.st-behind .bar i { background: var(--behind-bar); }
td.st-none { background: #f1f5f9; border-left-color: #94a3b8; }
td.unreported, .swatch.unreported { background: repeating-linear-gradient(135deg, #f3f4f6 0 6px, #e5e7eb 6px 12px); color: var(--muted); border-left-color: #cbd5e1; }
td.na { text-align: center; color: #cbd5e1; }
table.list { border-collapse: collapse; width: 100%; font-size: 13px; }
table.list th, table.list td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
table.list th { background: #f8fafc; font-weight: 600; }
table.list td.num, table.list th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.list a { margin-right: 10px; }
.chip { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.chip.accepted { background: var(--done-bg); color: var(--done); } .chip.partial { background: var(--at-risk-bg); color: var(--at-risk); }
.chip.rejected { background: var(--behind-bg); color: var(--behind); } .chip.processing { background: var(--on-track-bg); color: var(--on-track); }
.reason { font-size: 12px; color: var(--muted); }
.alert-tiles { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 10px; }
.alert-tile { flex: 1; min-width: 150px; border-radius: 8px; padding: 10px 14px; color: #fff; }
.alert-tile b { display: block; font-size: 28px; line-height: 1.2; }
.level-red { background: #c62828; } .level-orange { background: #e8710a; } .level-yellow { background: #f2c200; color: #3d3000; }
td.level-count-red { color: #c62828; font-weight: 700; } td.level-count-orange { color: #c25e00; font-weight: 700; } td.level-count-yellow { color: #8a6d00; font-weight: 700; }
footer { text-align: center; color: var(--muted); font-size: 12px; padding: 0 0 24px; }
`;

const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var TOKEN_STORAGE = 'safety-net.token';
  var STATUS = {
    'done': { label: '已完成', mark: '✓' },
    'on-track': { label: '按计划推进', mark: '●' },
    'at-risk': { label: '有风险', mark: '▲' },
    'behind': { label: '滞后', mark: '✗' }
  };
  var STATUS_ORDER = ['done', 'on-track', 'at-risk', 'behind'];
  var LEVELS = [['red', '红色预警', '红'], ['orange', '橙色预警', '橙'], ['yellow', '黄色预警', '黄']];
  var ROLES = { city: '市级', district: '区县', admin: '管理员' };
  var SCOPE_NOTES = { 'city-total': '全市合计', 'each-unit': '各单位均须达到', 'city-wide': '全市平均', 'city-bureau': '市局报送' };
  var state = { token: '', plans: {}, units: [] };
  try { state.token = localStorage.getItem(TOKEN_STORAGE) || ''; } catch (e) { state.token = ''; }

  function $(id) { return document.getElementById(id); }
  function h(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      var v = props[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') node.textContent = String(v);
      else if (k === 'className') node.className = v;
      else node.setAttribute(k, String(v));
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function fmt(n) { return n === null || n === undefined ? '—' : Number(n).toLocaleString('zh-CN', { maximumFractionDigits: 2 }); }
  function setStatus(text, isError) { var s = $('load-status'); s.textContent = text; s.className = isError ? 'error' : 'muted'; }

  function api(path) {
    return fetch(path, { headers: { Authorization: 'Bearer ' + state.token, Accept: 'application/json' } }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (body) {
        if (res.status === 401) showLogin('令牌无效或已过期,请重新输入。');
        return { status: res.status, ok: res.ok, body: body };
      });
    });
  }
  function errorMessage(r) { return r.body && r.body.error ? r.body.error.message : '请求失败 (' + r.status + ')'; }

  function claimsOf(token) {
    try { return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))); } catch (e) { return null; }
  }

  function showLogin(message) {
    $('login').hidden = false; $('main').hidden = true; $('who').hidden = true;
    $('login-message').textContent = message || '';
  }
  function showMain() {
    var c = claimsOf(state.token) || {};
    $('who-text').textContent = (c.unit || '') + ' · ' + (ROLES[c.role] || c.role || '');
    $('login').hidden = true; $('main').hidden = false; $('who').hidden = false;
  }

  function start() {
    if (!state.token) { showLogin(''); return; }
    showMain();
    fetch('/health').then(function (r) { return r.json(); }).then(function (health) {
      var years = (health.versions && health.versions.plans) || [];
      if (years.length) { $('period').min = Math.min.apply(null, years) + '-01'; $('period').max = Math.max.apply(null, years) + '-12'; }
    }).catch(function () { return null; }).then(load);
  }

  function planOf(year) {
    if (state.plans[year]) return Promise.resolve(state.plans[year]);
    return api('/plan?year=' + year).then(function (r) {
      if (!r.ok) throw new Error(errorMessage(r));
      state.plans[year] = r.body;
      return r.body;
    });
  }

  function load() {
    var period = $('period').value;
    setStatus('加载中…');
    api('/progress' + (period ? '?period=' + encodeURIComponent(period) : '')).then(function (r) {
      if (!r.ok) { if (r.status !== 401) setStatus(errorMessage(r), true); return null; }
      var progress = r.body;
      $('period').value = progress.period;
      return planOf(progress.year).then(function (plan) {
        state.units = progress.units;
        renderProgress(plan, progress);
        setStatus('');
        loadUploads(progress.period);
        loadAlerts();
      });
    }).catch(function (e) { setStatus('无法加载数据: ' + e.message, true); });
  }

  function targetText(m) {
    if (m.kind === 'milestone') return '完成';
    if (m.kind === 'rate') return (m.target >= 100 ? '' : '≥ ') + m.target + '%';
    return '≥ ' + fmt(m.target) + (m.measureUnit ? ' ' + m.measureUnit : '');
  }

  // Counted as the matrix shows them: a metric nobody has reported yet is "未报送", not a status.
  function renderSummary(progress) {
    var kinds = STATUS_ORDER.concat(['unreported']);
    var counts = { 'done': 0, 'on-track': 0, 'at-risk': 0, 'behind': 0, 'unreported': 0 };
    var total = 0;
    progress.rows.forEach(function (r) {
      if (r.unit !== 'city') return;
      var kind = r.reported ? r.status : 'unreported';
      if (kind) { counts[kind] += 1; total += 1; }
    });
    var bar = h('div', { className: 'summary-bar', role: 'img', 'aria-label': '全市指标状态分布' });
    var list = h('div', { className: 'summary-counts' });
    kinds.forEach(function (s) {
      var label = s === 'unreported' ? '未报送' : STATUS[s].label;
      if (counts[s]) {
        var seg = h('div', { className: 'bg-' + s, title: label + ' ' + counts[s] + ' 项', text: counts[s] });
        seg.style.width = (100 * counts[s] / total) + '%';
        bar.appendChild(seg);
      }
      list.appendChild(h('span', {}, [h('span', { className: 'swatch bg-' + s }), ' ', h('b', { text: counts[s] }), label]));
    });
    clear($('summary')).appendChild(bar);
    $('summary').appendChild(list);
    $('summary-title').textContent = '全市 ' + total + ' 项量化指标 · 截至 ' + progress.asOf;
  }

  function cell(row, metric, isCity) {
    var reported = row.reported;
    var classes = 'cell ' + (!reported ? 'unreported' : row.status ? 'st-' + row.status : 'st-none') + (isCity ? ' city-col' : '');
    var valueText = metric.kind === 'milestone' ? (row.value >= 1 ? '已完成' : '未完成') : fmt(row.value);
    var tip = row.unitName + ' · ' + metric.name + '\n';
    if (reported) {
      tip += '累计 ' + fmt(row.value) + (row.target !== null ? ' / 目标 ' + fmt(row.target) : '') + (row.percent !== null ? '(' + row.percent + '%)' : '');
      if (row.statusLabel) tip += '\n状态: ' + row.statusLabel;
      if (row.reportedPeriod) tip += '\n最近报送: ' + row.reportedPeriod;
    } else {
      tip += '尚未报送' + (row.target !== null ? ',目标 ' + fmt(row.target) : '');
      if (row.statusLabel) tip += '\n按规则判定: ' + row.statusLabel;
    }
    var td = h('td', { className: classes, title: tip });
    var v = h('div', { className: 'v' }, reported ? [h('b', { text: valueText })] : ['未报送']);
    if (metric.kind !== 'milestone' && row.target !== null) v.appendChild(h('span', { text: ' / ' + fmt(row.target) }));
    td.appendChild(v);
    if (reported && row.percent !== null) {
      var fill = h('i');
      fill.style.width = Math.max(2, Math.min(100, row.percent)) + '%';
      td.appendChild(h('div', { className: 'bar' }, [fill]));
      td.appendChild(h('div', { className: 's', text: (row.status ? STATUS[row.status].mark + ' ' : '') + row.percent + '%' }));
    }
    return td;
  }

  function renderProgress(plan, progress) {
    $('plan-title').textContent = plan.title + ' · ' + progress.period;
    $('as-of').textContent = '数据截至 ' + progress.asOf + ' · 月报于次月 ' + plan.reportDueDay + ' 日前报送';
    renderSummary(progress);
    var byKey = {};
    progress.rows.forEach(function (r) { byKey[r.metricCode + '|' + r.unit] = r; });
    var columns = progress.units;
    var table = clear($('matrix'));
    var headRow = h('tr', {}, [h('th', { className: 'metric', text: '工作要点 / 指标' })]);
    columns.forEach(function (u) {
      var inColumn = progress.rows.filter(function (r) { return r.unit === u.code; });
      var reported = inColumn.filter(function (r) { return r.reported; }).length;
      headRow.appendChild(h('th', { className: u.code === 'city' ? 'city' : null, title: u.name }, [u.shortName, h('small', { text: u.code === 'city' ? '汇总' : '已报 ' + reported + '/' + inColumn.length })]));
    });
    table.appendChild(h('thead', {}, [headRow]));
    var body = h('tbody');
    var span = columns.length + 1;
    var section = null;
    plan.workPoints.forEach(function (wp) {
      if (!section || section !== wp.section.id) {
        section = wp.section.id;
        body.appendChild(h('tr', { className: 'section' }, [h('td', { colspan: span, text: wp.section.id + ' ' + wp.section.title })]));
      }
      var title = h('td', { colspan: span }, ['第 ' + wp.number + ' 项 · ' + wp.title]);
      if (wp.leadDivision) title.appendChild(h('span', { className: 'lead', text: '牵头: ' + wp.leadDivision }));
      if (!wp.metrics.length) title.appendChild(h('span', { className: 'none', text: '(无量化指标)' }));
      body.appendChild(h('tr', { className: 'workpoint' }, [title]));
      wp.metrics.forEach(function (m) {
        var meta = '目标 ' + targetText(m) + ' · ' + (SCOPE_NOTES[m.scope] || '') + ' · 截止 ' + m.deadline;
        var tr = h('tr', {}, [h('th', { className: 'metric', scope: 'row' }, [h('span', { className: 'code', text: m.code }), h('span', { className: 'name', text: m.name }), h('span', { className: 'meta', text: meta })])]);
        columns.forEach(function (u) {
          var row = byKey[m.code + '|' + u.code];
          tr.appendChild(row ? cell(row, m, u.code === 'city') : h('td', { className: 'na' + (u.code === 'city' ? ' city-col' : ''), title: '不由' + u.name + '报送', text: '—' }));
        });
        body.appendChild(tr);
      });
    });
    table.appendChild(body);
  }

  function loadUploads(period) {
    var box = $('uploads');
    api('/uploads?period=' + encodeURIComponent(period)).then(function (r) {
      clear(box);
      if (!r.ok) { box.appendChild(h('p', { className: 'error', text: errorMessage(r) })); return; }
      var uploads = r.body.uploads || [];
      $('uploads-title').textContent = '本期上传(' + period + ',' + uploads.length + ' 个文件)';
      if (!uploads.length) { box.appendChild(h('p', { className: 'muted', text: '本期暂无上传。' })); return; }
      var head = h('tr', {}, ['单位', '类型', '文件', '状态', '总行数', '接收', '拒收', '处理时间', '结果'].map(function (t, i) { return h('th', { className: i >= 4 && i <= 6 ? 'num' : null, text: t }); }));
      var rows = uploads.map(function (u) {
        var links = h('td');
        if (u.summaryUrl) links.appendChild(h('a', { href: u.summaryUrl, target: '_blank', rel: 'noopener', text: '处理摘要' }));
        if (u.errorsUrl) links.appendChild(h('a', { href: u.errorsUrl, target: '_blank', rel: 'noopener', text: '错误明细' }));
        var file = h('td', {}, [u.fileName || u.key]);
        if (u.reasons && u.reasons.length && u.status !== 'accepted') file.appendChild(h('div', { className: 'reason', text: u.reasons[0] }));
        return h('tr', {}, [
          h('td', { text: u.unitName || u.unit || '—' }),
          h('td', { text: u.kindLabel || u.kind || '—' }),
          file,
          h('td', {}, [h('span', { className: 'chip ' + u.status, text: u.statusLabel || u.status })]),
          h('td', { className: 'num', text: fmt(u.rowsTotal) }),
          h('td', { className: 'num', text: fmt(u.rowsAccepted) }),
          h('td', { className: 'num', text: fmt(u.rowsRejected) }),
          h('td', { text: u.processedAt ? new Date(u.processedAt).toLocaleString('zh-CN', { hour12: false }) : '处理中' }),
          links
        ]);
      });
      box.appendChild(h('table', { className: 'list' }, [h('thead', {}, [head]), h('tbody', {}, rows)]));
    }).catch(function (e) { clear(box).appendChild(h('p', { className: 'error', text: '无法加载上传记录: ' + e.message })); });
  }

  // Pages of { alerts, nextCursor }. The alerts module may not be deployed yet: a 404 hides the panel.
  function fetchOpenAlerts(path, page, found) {
    return api(path).then(function (r) {
      if (r.status === 404) return { enabled: false };
      if (!r.ok) return { enabled: true, error: errorMessage(r) };
      var body = r.body || {};
      var alerts = found.concat(body.alerts || []);
      if (body.nextCursor && page < 50) return fetchOpenAlerts('/alerts?status=open&cursor=' + encodeURIComponent(body.nextCursor), page + 1, alerts);
      return { enabled: true, alerts: alerts };
    });
  }

  function loadAlerts() {
    var panel = $('alerts');
    var box = $('alerts-body');
    fetchOpenAlerts('/alerts?status=open', 1, []).then(function (result) {
      panel.hidden = !result.enabled;
      if (!result.enabled) return;
      clear(box);
      if (result.error) { box.appendChild(h('p', { className: 'error', text: result.error })); return; }
      var byLevel = { red: 0, orange: 0, yellow: 0 };
      var byUnit = {};
      result.alerts.forEach(function (a) {
        if (!(a.level in byLevel)) return;
        byLevel[a.level] += 1;
        byUnit[a.unit] = byUnit[a.unit] || { red: 0, orange: 0, yellow: 0 };
        byUnit[a.unit][a.level] += 1;
      });
      box.appendChild(h('div', { className: 'alert-tiles' }, LEVELS.map(function (l) {
        return h('div', { className: 'alert-tile level-' + l[0] }, [h('b', { text: byLevel[l[0]] }), l[1]]);
      })));
      var head = h('tr', {}, [h('th', { text: '单位' })].concat(LEVELS.map(function (l) { return h('th', { className: 'num', text: l[2] }); }), [h('th', { className: 'num', text: '合计' })]));
      var rows = state.units.filter(function (u) { return u.code !== 'city'; }).map(function (u) {
        var c = byUnit[u.code] || { red: 0, orange: 0, yellow: 0 };
        return h('tr', {}, [h('td', { text: u.name })].concat(LEVELS.map(function (l) {
          return h('td', { className: 'num' + (c[l[0]] ? ' level-count-' + l[0] : ' muted'), text: c[l[0]] });
        }), [h('td', { className: 'num', text: c.red + c.orange + c.yellow })]));
      });
      box.appendChild(h('table', { className: 'list' }, [h('thead', {}, [head]), h('tbody', {}, rows)]));
    }).catch(function () { panel.hidden = true; });
  }

  $('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var token = $('token-input').value.trim();
    if (!claimsOf(token)) { $('login-message').textContent = '这不像是一个令牌:请粘贴 token 命令输出的整行内容。'; return; }
    state.token = token;
    try { localStorage.setItem(TOKEN_STORAGE, token); } catch (e) { /* private mode: keep it for this page only */ }
    $('token-input').value = '';
    start();
  });
  $('logout').addEventListener('click', function () {
    try { localStorage.removeItem(TOKEN_STORAGE); } catch (e) { /* ignore */ }
    state.token = '';
    state.plans = {};
    showLogin('');
  });
  $('period').addEventListener('change', load);
  $('reload').addEventListener('click', load);
  start();
})();
`;

const DASHBOARD_BODY = String.raw`
<header class="top">
  <div>
    <h1>民政工作进展看板</h1>
    <div class="sub" id="plan-title">绍兴市民政局 · 兜底平台</div>
  </div>
  <div class="who" id="who" hidden><span id="who-text"></span><button id="logout" type="button">更换令牌</button></div>
</header>
<main>
  <section class="card login" id="login" hidden>
    <h2>请输入访问令牌</h2>
    <p>看板上的数据需要令牌才能查看。在运行平台的电脑上执行下面的命令获取市级令牌:</p>
    <pre><code>npx safety-net token --unit 330600 --role city</code></pre>
    <p class="muted">区县用户请换成本单位,例如 <code>npx safety-net token --unit 330602 --role district</code>(区县只能看到本单位和全市汇总)。令牌只保存在本浏览器中。</p>
    <form id="login-form">
      <input id="token-input" type="password" autocomplete="off" spellcheck="false" placeholder="粘贴令牌(eyJ…)" aria-label="访问令牌">
      <button class="primary" type="submit">进入看板</button>
    </form>
    <p class="error" id="login-message"></p>
  </section>
  <div id="main" hidden>
    <section class="card controls">
      <label for="period">报送期间</label>
      <input type="month" id="period">
      <button id="reload" type="button">刷新</button>
      <span class="muted" id="as-of"></span>
      <span class="muted" id="load-status"></span>
    </section>
    <section class="card">
      <h2 id="summary-title">全市指标完成情况</h2>
      <div id="summary"></div>
      <div class="legend">
        <span><i class="swatch bg-done"></i>已完成 ✓</span>
        <span><i class="swatch bg-on-track"></i>按计划推进 ●</span>
        <span><i class="swatch bg-at-risk"></i>有风险 ▲(按全年进度线性推算达不到目标)</span>
        <span><i class="swatch bg-behind"></i>滞后 ✗(已过期限或不足应完成进度的一半)</span>
        <span><i class="swatch unreported"></i>未报送</span>
        <span>— 不由该单位报送</span>
      </div>
    </section>
    <section class="card" id="alerts" hidden>
      <h2>未处理预警(低收入人口动态监测)</h2>
      <div id="alerts-body"></div>
    </section>
    <section class="card">
      <h2>各项指标 × 各单位</h2>
      <div class="matrix-wrap"><table class="matrix" id="matrix"></table></div>
    </section>
    <section class="card">
      <h2 id="uploads-title">本期上传</h2>
      <div id="uploads"></div>
    </section>
  </div>
</main>
<footer>兜底 Safety Net · 各区、县(市)按月报送工作进展,状态判定规则与 API 一致</footer>
`;

export const DASHBOARD_HTML = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>工作进展看板 · 兜底 Safety Net</title>
<style>${DASHBOARD_STYLE}</style>
</head>
<body>${DASHBOARD_BODY}<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Only this page's own script and style run; data comes from this origin only. */
export const DASHBOARD_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(DASHBOARD_SCRIPT)}`,
  `style-src ${sha256(DASHBOARD_STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
