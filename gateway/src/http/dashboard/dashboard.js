// The analyst dashboard: every chart is drawn from /graphql, asked with the caller's own token, so
// a tier sees what it may read and, where it may not, the coded error in place of the chart. The
// token stays in this tab's sessionStorage only. Every text from an answer reaches the page as text
// (textContent) or is drawn on canvas by ECharts (tooltips too, renderMode 'richText'): never HTML.
(function () {
  'use strict';

  var STORAGE = {
    token: 'credit-dashboard.token',
    purpose: 'credit-dashboard.purpose',
    codes: 'credit-dashboard.codes',
  };
  var GRAPHQL = new URL('/graphql', window.location.href).toString();

  var STATISTICS_QUERY = [
    'query DashboardStatistics($codes: [CreditCode!]!) {',
    '  creditStatistics(codes: $codes) {',
    '    statistics {',
    '      subjects incompleteSubjects',
    '      byDivision { key subjects redListed watchListed blackListed measures }',
    '      byOrganizationCategory { key subjects redListed watchListed blackListed measures }',
    '      byGrade { grade subjects }',
    '      inputsBySource { source read missing }',
    '      publicationTimeliness { department decisions late }',
    '    }',
    '  }',
    '}',
  ].join('\n');

  var LOOP_QUERY = [
    'query DashboardLoop {',
    '  loopStatistics {',
    '    departments { department { id name } pushed acknowledged responseRate required reported feedbackRate enforced enforcementRate overdue }',
    '    overdueCases { id code listName openedAt responseDue feedbackDue }',
    '    checks { matter department checks uncheckedApplications checkRate reported reportRate measuresInForce measuresEnforced enforcementRate }',
    '  }',
    '}',
  ].join('\n');

  var STATISTICS = ['creditStatistics', 'statistics'];
  var LOOP = ['loopStatistics'];

  /** A rate (0–1) as a percentage with one decimal; null stays null (nothing was due). */
  function percent(rate) {
    return rate === null || rate === undefined ? null : Math.round(rate * 1000) / 10;
  }

  function baseOption() {
    return {
      animation: false,
      tooltip: { trigger: 'axis', renderMode: 'richText', confine: true },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 48, right: 24, top: 56, bottom: 64, containLabel: true },
    };
  }

  function categoryAxis(labels) {
    return { type: 'category', data: labels, axisLabel: { interval: 0, rotate: labels.length > 3 ? 30 : 0 } };
  }

  /**
   * One chart's option from its rows: a category per row, named by `label`, and one series per
   * entry of `series`, each reading its value from the row's field of the series' `id` unless it
   * gives `value`. Every other key of an entry (stack, type, yAxisIndex, label) goes to ECharts as is.
   */
  function rowsOption(rows, label, yAxis, series) {
    var option = baseOption();
    option.xAxis = categoryAxis(rows.map(label));
    option.yAxis = yAxis;
    option.series = series.map(function (entry) {
      var value =
        entry.value ||
        function (r) {
          return r[entry.id];
        };
      var drawn = Object.assign({ type: 'bar' }, entry, { data: rows.map(value) });
      delete drawn.value;
      return drawn;
    });
    return option;
  }

  /** A rate (0–1) of the row's field `id`, drawn as a percentage. */
  function rate(id, name, color) {
    return {
      id: id,
      name: name,
      color: color,
      value: function (r) {
        return percent(r[id]);
      },
    };
  }

  function percentAxis() {
    return { type: 'value', name: '%', min: 0, max: 100 };
  }

  function countAxis(name) {
    return { type: 'value', name: name, minInterval: 1 };
  }

  function field(name) {
    return function (r) {
      return r[name];
    };
  }

  function departmentName(r) {
    return r.department.name;
  }

  /** Red, watch and black lists stacked, and the measures beside them. */
  function membershipOption(rows) {
    return rowsOption(
      rows,
      field('key'),
      [countAxis('subjects'), countAxis('measures')],
      [
        { id: 'redListed', name: '红名单 red', stack: 'lists', color: '#2f9e44' },
        { id: 'watchListed', name: '重点关注 watch', stack: 'lists', color: '#f08c00' },
        { id: 'blackListed', name: '黑名单 black', stack: 'lists', color: '#c92a2a' },
        { id: 'subjects', name: 'subjects', color: '#9fb3c8' },
        { id: 'measures', name: '措施 measures', type: 'line', yAxisIndex: 1, color: '#364fc7' },
      ],
    );
  }

  var CHARTS = [
    {
      id: 'divisions',
      query: 'statistics',
      path: STATISTICS.concat(['byDivision']),
      empty: 'No subjects counted.',
      option: membershipOption,
    },
    {
      id: 'categories',
      query: 'statistics',
      path: STATISTICS.concat(['byOrganizationCategory']),
      empty: 'No subjects counted.',
      option: membershipOption,
    },
    {
      id: 'grades',
      query: 'statistics',
      path: STATISTICS.concat(['byGrade']),
      option: function (rows) {
        return rowsOption(rows, field('grade'), countAxis('subjects'), [
          { id: 'subjects', name: 'subjects', color: '#364fc7', label: { show: true, position: 'top' } },
        ]);
      },
    },
    {
      id: 'inputs',
      query: 'statistics',
      path: STATISTICS.concat(['inputsBySource']),
      empty: 'No department inputs.',
      option: function (rows) {
        return rowsOption(rows, field('source'), countAxis('subjects'), [
          { id: 'read', name: 'read', stack: 'inputs', color: '#2f9e44' },
          { id: 'missing', name: 'missing 缺失', stack: 'inputs', color: '#c92a2a' },
        ]);
      },
    },
    {
      id: 'publication',
      query: 'statistics',
      path: STATISTICS.concat(['publicationTimeliness']),
      empty: 'No published decisions among these subjects.',
      option: function (rows) {
        return rowsOption(rows, field('department'), countAxis('decisions'), [
          {
            id: 'onTime',
            name: 'on time 及时',
            stack: 'decisions',
            color: '#2f9e44',
            value: function (r) {
              return r.decisions - r.late;
            },
          },
          { id: 'late', name: 'late 超期', stack: 'decisions', color: '#c92a2a' },
        ]);
      },
    },
    {
      id: 'loop',
      query: 'loop',
      path: LOOP.concat(['departments']),
      empty: 'No cases pushed yet.',
      option: function (rows) {
        return rowsOption(rows, departmentName, percentAxis(), [
          rate('responseRate', '响应率', '#364fc7'),
          rate('feedbackRate', '反馈率', '#0c8599'),
          rate('enforcementRate', '奖惩到位率', '#2f9e44'),
        ]);
      },
    },
    {
      id: 'checks',
      query: 'loop',
      path: LOOP.concat(['checks']),
      empty: 'No approval checks yet.',
      option: function (rows) {
        var matterAndDepartment = function (r) {
          return r.matter + ' · ' + r.department;
        };
        return rowsOption(rows, matterAndDepartment, percentAxis(), [
          rate('checkRate', '查询率', '#364fc7'),
          rate('reportRate', '查询反馈率', '#0c8599'),
          rate('enforcementRate', '奖惩到位率', '#2f9e44'),
        ]);
      },
    },
    {
      id: 'overdue',
      query: 'loop',
      path: LOOP.concat(['departments']),
      empty: 'No cases pushed yet.',
      option: function (rows) {
        return rowsOption(rows, departmentName, countAxis('overdue'), [
          { id: 'overdue', name: '逾期 overdue', color: '#c92a2a' },
        ]);
      },
      after: function (data) {
        showOverdueCases(at(data, LOOP.concat(['overdueCases'])));
      },
    },
  ];

  var instances = {};
  // Charts draw on a canvas with this font; the page's own font file covers Chinese everywhere.
  var CHART_THEME = {
    textStyle: { fontFamily: "system-ui, 'PingFang SC', 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif" },
  };

  function element(id) {
    return document.getElementById(id);
  }

  function chartOf(spec) {
    if (!instances[spec.id])
      instances[spec.id] = echarts.init(element('chart-' + spec.id), CHART_THEME, { renderer: 'canvas' });
    return instances[spec.id];
  }

  function at(value, path) {
    for (var i = 0; i < path.length; i++) {
      if (value === null || value === undefined) return value;
      value = value[path[i]];
    }
    return value;
  }

  /** Whether an error concerns a chart: no path (the whole request), or a path on the chart's own. */
  function concerns(error, path) {
    if (!Array.isArray(error.path)) return true;
    var n = Math.min(error.path.length, path.length);
    for (var i = 0; i < n; i++) if (error.path[i] !== path[i]) return false;
    return true;
  }

  function describe(error) {
    var code = error && error.extensions && typeof error.extensions.code === 'string' ? error.extensions.code : 'ERROR';
    var message = error && typeof error.message === 'string' ? error.message : '';
    return { code: code, message: message };
  }

  function distinctTexts(errors) {
    var seen = {};
    return errors
      .map(function (e) {
        var d = describe(e);
        return d.code + ': ' + d.message;
      })
      .filter(function (text) {
        if (seen[text]) return false;
        seen[text] = true;
        return true;
      });
  }

  function setText(card, selector, texts) {
    var node = card.querySelector(selector);
    node.textContent = texts.join(' · ');
    node.hidden = texts.length === 0;
  }

  /** The coded error in place of the chart: in the card, and drawn on the chart itself. */
  function showError(spec, error) {
    var card = element('card-' + spec.id);
    var d = describe(error);
    card.dataset.state = 'error';
    card.dataset.code = d.code;
    setText(card, '.chart-error', [d.code + ': ' + d.message]);
    setText(card, '.chart-note', []);
    chartOf(spec).setOption(
      {
        title: {
          text: d.code,
          subtext: d.message,
          left: 'center',
          top: 'middle',
          textStyle: { color: '#8a1c1c', fontSize: 16 },
          subtextStyle: { width: 420, overflow: 'break' },
        },
        series: [],
      },
      true,
    );
  }

  function showData(spec, rows, notes) {
    var card = element('card-' + spec.id);
    card.dataset.state = 'data';
    delete card.dataset.code;
    setText(card, '.chart-error', []);
    setText(card, '.chart-note', rows.length === 0 && spec.empty ? [spec.empty].concat(notes) : notes);
    chartOf(spec).setOption(spec.option(rows), true);
  }

  function showOverdueCases(cases) {
    var table = element('overdue-cases');
    var body = table.querySelector('tbody');
    body.replaceChildren();
    if (!Array.isArray(cases) || cases.length === 0) {
      table.hidden = true;
      return;
    }
    cases.forEach(function (c) {
      var row = document.createElement('tr');
      [c.id, c.code, c.listName, c.openedAt, c.responseDue, c.feedbackDue].forEach(function (value) {
        var cell = document.createElement('td');
        cell.textContent = value === null || value === undefined ? '' : String(value);
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
    table.hidden = false;
  }

  /** One GraphQL request over HTTP: its answer, or an error the charts can show. */
  function ask(query, variables, token, purpose) {
    var headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    headers.authorization = 'Bearer ' + token;
    if (purpose) headers['x-credit-purpose'] = purpose;
    return fetch(GRAPHQL, {
      method: 'POST',
      headers: headers,
      body: JSON.stringify({ query: query, variables: variables }),
      credentials: 'omit',
      cache: 'no-store',
    })
      .then(function (response) {
        return response.json().then(
          function (body) {
            if (body && typeof body === 'object' && (body.data !== undefined || Array.isArray(body.errors)))
              return body;
            return {
              errors: [{ message: 'Unexpected answer from /graphql', extensions: { code: 'HTTP_' + response.status } }],
            };
          },
          function () {
            return {
              errors: [{ message: 'The answer was not JSON', extensions: { code: 'HTTP_' + response.status } }],
            };
          },
        );
      })
      .catch(function (error) {
        return {
          errors: [
            { message: String(error && error.message ? error.message : error), extensions: { code: 'NETWORK_ERROR' } },
          ],
        };
      });
  }

  function render(query, body) {
    var errors = Array.isArray(body.errors) ? body.errors : [];
    CHARTS.filter(function (spec) {
      return spec.query === query;
    }).forEach(function (spec) {
      var rows = at(body.data, spec.path);
      var mine = errors.filter(function (e) {
        return concerns(e, spec.path);
      });
      if (!Array.isArray(rows)) {
        showError(spec, mine[0] || { message: 'No data in the answer', extensions: { code: 'NO_DATA' } });
      } else {
        showData(spec, rows, distinctTexts(mine));
      }
      if (spec.after) spec.after(Array.isArray(rows) ? body.data : null);
    });
  }

  function parseCodes(text) {
    var seen = {};
    return text
      .split(/[\s,，;；]+/)
      .map(function (c) {
        return c.trim();
      })
      .filter(function (c) {
        if (!c || seen[c]) return false;
        seen[c] = true;
        return true;
      });
  }

  var status = element('status');
  var loads = 0;

  function load() {
    var token = element('token').value.trim();
    var purpose = element('purpose').value.trim();
    var codes = parseCodes(element('codes').value);
    if (!token) {
      status.textContent = 'Enter a token first.';
      return;
    }
    sessionStorage.setItem(STORAGE.token, token);
    sessionStorage.setItem(STORAGE.purpose, purpose);
    sessionStorage.setItem(STORAGE.codes, codes.join('\n'));
    var ticket = ++loads;
    document.body.dataset.loaded = 'pending';
    status.textContent = 'Loading…';
    var statistics =
      codes.length === 0
        ? Promise.resolve({
            data: null,
            errors: [
              { message: 'Enter the credit codes of the subjects to count', extensions: { code: 'NO_SUBJECTS' } },
            ],
          })
        : ask(STATISTICS_QUERY, { codes: codes }, token, purpose);
    var loop = ask(LOOP_QUERY, {}, token, purpose);
    Promise.all([statistics, loop]).then(function (answers) {
      if (ticket !== loads) return;
      render('statistics', answers[0]);
      render('loop', answers[1]);
      var subjects = at(answers[0].data, STATISTICS.concat(['subjects']));
      var incomplete = at(answers[0].data, STATISTICS.concat(['incompleteSubjects']));
      status.textContent =
        typeof subjects === 'number'
          ? subjects +
            ' subjects counted' +
            (incomplete ? ', ' + incomplete + ' while a department could not be read' : '') +
            '. Updated ' +
            new Date().toLocaleString() +
            '.'
          : 'Updated ' + new Date().toLocaleString() + '.';
      document.body.dataset.loaded = String(ticket);
    });
  }

  var params = new URLSearchParams(window.location.search);
  element('token').value = sessionStorage.getItem(STORAGE.token) || '';
  element('purpose').value = sessionStorage.getItem(STORAGE.purpose) || '';
  element('codes').value = params.get('codes')
    ? parseCodes(params.get('codes')).join('\n')
    : sessionStorage.getItem(STORAGE.codes) || '';

  element('access').addEventListener('submit', function (event) {
    event.preventDefault();
    load();
  });
  element('forget').addEventListener('click', function () {
    sessionStorage.removeItem(STORAGE.token);
    element('token').value = '';
    status.textContent = 'Token forgotten.';
  });
  window.addEventListener('resize', function () {
    Object.keys(instances).forEach(function (id) {
      instances[id].resize();
    });
  });
  // A canvas does not redraw when a font arrives: wait for the page's font before the first load.
  var fontReady = document.fonts ? document.fonts.load("12px 'Noto Sans SC'", '信用') : Promise.resolve();
  fontReady.then(
    function () {
      if (element('token').value) load();
    },
    function () {
      if (element('token').value) load();
    },
  );
})();
