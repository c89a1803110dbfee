'use strict';
// holidays.js: 节假日: the deployment-wide holiday calendar — a year's
// 法定节假日 and 调休上班 days, a holiday-cn file imported, one day added,
// changed or taken off (admins). Every change lays out again the classes'
// sessions and the venues' open hours, and says what it skipped.
(function (C) {
  const h = C.h;
  const WEEK = ['一', '二', '三', '四', '五', '六', '日'];
  const KIND = { holiday: ['法定节假日', 'warn'], workday: ['调休上班', 'ok'] };

  // weekday returns 周X of a YYYY-MM-DD date.
  function weekday(date) {
    const d = new Date(date + 'T12:00:00Z').getUTCDay();
    return '周' + WEEK[(d + 6) % 7];
  }

  // report says what a change of the calendar did.
  function report(imp, what) {
    const skipped = imp.skipped || [];
    const parts = [what];
    if (skipped.length) {
      parts.push(`停上${skipped.length}节课:` + skipped.map((s) => `${s.class} ${s.date}(${s.holiday})`).join('、') + ',报名的居民会收到短信。');
    }
    const restored = imp.restored || [];
    if (restored.length) {
      parts.push(`恢复上课${restored.length}节:` + restored.map((s) => `${s.class} ${s.date}`).join('、') + ',收到过放假短信的居民会收到恢复上课的短信。');
    }
    if (!skipped.length && !restored.length) parts.push('没有课程受影响。');
    if (imp.called_off) parts.push(`场馆开放取消${imp.called_off}场,已预约的居民会收到短信:${C.calledOffText(imp.called_off_sessions)}。`);
    C.say(parts.join(''), skipped.length || imp.called_off ? 'warn' : '');
  }

  C.route('holidays', {
    title: '节假日',
    async render(view, args, ctx) {
      const year = Number(args[0]) || Number(C.today().slice(0, 4));
      const { days } = await C.api('GET', `/api/admin/holidays?year=${year}`);
      if (!C.current(ctx.gen)) return;
      const reload = () => C.render();
      const go = (y) => { location.hash = `#/holidays/${y}`; };
      view.append(
        h('p', { class: 'hint' }, '国务院办公厅每年10月到12月公布下一年的放假安排。法定节假日课程停课、场馆按“法定节假日”的开放时间(没有就不开放);调休上班日场馆按它对应的星期开放。改动后已排好的课和场馆开放会重新安排,受影响的居民会收到短信。'),
        h('p', { class: 'page-actions' },
          C.button(`${year - 1}年`, () => go(year - 1), { 'aria-label': '上一年' }), ' ',
          h('strong', { class: 'year' }, `${year}年`), ' ',
          C.button(`${year + 1}年`, () => go(year + 1), { 'aria-label': '下一年' }),
          C.isAdmin() ? [' ', C.button('导入节假日文件', () => importDialog(reload), { class: 'primary' }),
            ' ', C.button('添加一天', () => dayDialog(null, year, reload))] : null),
        C.section(`${year}年节假日`, C.table([
          { label: '日期', cell: (d) => [h('strong', {}, d.date), h('span', { class: 'sub' }, weekday(d.date))] },
          { label: '安排', cell: (d) => [C.badge(...KIND[d.kind]),
            d.kind === 'workday' ? h('span', { class: 'sub' }, `按周${WEEK[(d.follows || 1) - 1]}开放`) : null] },
          { label: '节日', cell: (d) => d.name },
          { label: '来源', cell: (d) => d.source },
          C.isAdmin() ? { label: '操作', cell: (d) => [
            C.button('修改', () => dayDialog(d, year, reload), { class: 'small', 'aria-label': `修改${d.date}` }), ' ',
            C.button('删除', () => removeDay(d, reload), { class: 'small', 'aria-label': `删除${d.date}` })] } : null,
        ].filter(Boolean), days, { caption: `${year}年节假日`, empty: `还没有${year}年的节假日安排。` })));
    },
  });

  // importDialog imports a year's holiday-cn file chosen on the computer.
  function importDialog(reload) {
    const file = C.input({ type: 'file', accept: '.json,application/json', name: 'file', required: true });
    const f = C.form({
      label: '导入', name: '导入节假日',
      submit: async () => {
        const chosen = file.files && file.files[0];
        if (!chosen) throw C.invalid('请选择节假日文件。');
        let body;
        try {
          body = JSON.parse(await chosen.text());
        } catch (e) {
          throw C.invalid('这个文件不是 holiday-cn 格式的 JSON,请换一个文件。');
        }
        const imp = await C.api('POST', '/api/admin/holidays', body);
        d.close();
        report(imp, `已导入${imp.year}年的${imp.days}天。`);
        location.hash = `#/holidays/${imp.year}`;
        reload();
      },
    }, C.field('节假日文件', file, { hint: 'holiday-cn 格式(如 2027.json),导入后替换这一年原有的安排。' }));
    const d = C.dialog('导入节假日', f);
  }

  // dayDialog adds a day (d null) or changes one.
  function dayDialog(d, year, reload) {
    const x = d || { date: '', kind: 'holiday', name: '', follows: 0 };
    const date = C.input({ type: 'date', required: true, value: x.date, name: 'date', disabled: !!d, min: `${year}-01-01`, max: `${year}-12-31` });
    const kind = C.select([['holiday', '法定节假日(放假)'], ['workday', '调休上班']], { value: x.kind, name: 'kind' });
    const name = C.input({ maxlength: 20, required: true, value: x.name, name: 'name' });
    const follows = C.select(WEEK.map((w, i) => [i + 1, '周' + w]), { value: x.follows || 1, name: 'follows' });
    const followsField = C.field('场馆按星期几开放', follows, { hint: '调休上班日场馆按这一天的开放时间开放(场馆另有“调休上班日”时间的除外)。' });
    const show = () => { followsField.hidden = kind.value !== 'workday'; };
    kind.addEventListener('change', show);
    show();
    const f = C.form({
      label: '保存', name: '节假日',
      submit: async () => {
        const body = { kind: kind.value, name: name.value.trim(), follows: kind.value === 'workday' ? Number(follows.value) : 0 };
        const imp = await C.api('PUT', `/api/admin/holidays/${date.value}`, body);
        d2.close();
        report(imp, `已保存${date.value}。`);
        reload();
      },
    }, h('div', { class: 'grid-3' }, C.field('日期', date), C.field('安排', kind), C.field('节日名称', name, { hint: '如:国庆节。' })), followsField);
    const d2 = C.dialog(d ? `修改:${d.date}` : '添加一天', f);
  }

  async function removeDay(d, reload) {
    if (!(await C.confirm(`删除${d.date}?`, `${d.date}(${d.name})会变回普通日子,课程和场馆按平常安排。`, '删除', true))) return;
    const imp = await C.api('DELETE', `/api/admin/holidays/${d.date}`);
    report(imp, `已删除${d.date}。`);
    reload();
  }
})(window.C);
