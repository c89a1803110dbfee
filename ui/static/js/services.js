'use strict';
// services.js: home haircuts (上门理发: phone → address on file or 小区 →
// 楼号、单元、门牌号 typed on one screen → the day, which sends it →
// done, waiting for the SMS reply 1) and holiday
// childcare (托管报名: programme → phone → children's ages → confirm →
// done or the waitlist position).
(function (K) {
  const S = K.screens;
  const d = () => K.session.d;

  // numbers makes the buttons of a number picker.
  function picker(from, to, label, pick) {
    const out = [];
    for (let n = from; n <= to; n++) out.push(K.button(label(n), () => pick(n)));
    return out;
  }

  function listScreen(id, title, hint, lead, items, cls) {
    const list = K.paged(id, items, cls || 'grid small');
    return { id, title, hint, body: K.section(K.lead(lead), ...list.nodes), mounted: list.mount };
  }

  // ---- 上门理发 ----
  S['haircut/phone'] = () => K.phoneScreen('haircut/phone', async (phone) => {
    const [addr] = await Promise.all([
      K.api('GET', '/api/address?phone=' + encodeURIComponent(phone)),
      K.loadNames(phone),
    ]);
    d().fileAddress = addr && addr.address;
    if (d().fileAddress) {
      K.show('haircut/address');
    } else {
      delete d().address;
      await K.loadEstates();
      K.show('haircut/estate');
    }
  }, '请输入您的11位手机号,理发师接单后会发短信给您。');

  K.loadEstates = async function () {
    if (!K.data.estates) {
      const r = await K.api('GET', '/api/estates');
      K.data.estates = (r && r.estates) || [];
    }
  };

  S['haircut/address'] = function () {
    const a = d().fileAddress;
    const same = K.button('是这个地址', () => {
      delete d().address; // the server uses the address on file
      K.show('haircut/day');
    }, { primary: true, id: 'same-address' });
    const other = K.button('换一个地址', (b) => K.busy(b, async () => {
      await K.loadEstates();
      K.show('haircut/estate');
    }), { server: true, id: 'other-address' });
    return {
      id: 'haircut/address',
      title: '上门地址',
      hint: '地址不对就点“换一个地址”。',
      body: K.section(K.lead('理发师会到这个地址:'),
        K.el('p', { class: 'box address' }, K.el('strong', {}, a.text)),
        K.el('div', { class: 'actions' }, other, same)),
    };
  };

  S['haircut/estate'] = () => listScreen('haircut/estate', '选择小区', '点一下您住的小区。', '您住在哪个小区?',
    (K.data.estates || []).map((e) => K.button(e.name, () => chooseEstate(e))), 'grid cards');

  // estateOf returns the estate picked, with its layout (0: not entered).
  const estateOf = () => (K.data.estates || []).find((e) => e.id === d().address.estate_id) || {};

  // chooseEstate goes on from the estate to its address screen.
  function chooseEstate(e) {
    d().address = { estate_id: e.id, estate: e.name };
    K.show('haircut/room');
  }
  K.chooseEstate = chooseEstate;

  // addressParts lists what the estate's addresses are made of: the
  // building (none in an estate of one building), the unit (none when
  // its buildings have none) and the room (3 or 4 digits), each building
  // and unit with the largest number it may be (1–40 and 1–12 while staff
  // have not entered the estate's layout).
  function addressParts(e) {
    const parts = [];
    if (e.buildings !== 1) parts.push({ key: 'building', label: '号楼', word: '楼号', max: e.buildings || 40 });
    if (e.units !== 1) parts.push({ key: 'unit', label: '单元', word: '单元', max: e.units || 12 });
    parts.push({ key: 'room', label: '室', word: '门牌号', len: 4, min: 3 });
    return parts;
  }

  // complete reports that part p, typed as v, takes no more digits: a
  // building or unit number that another digit would make too large, or
  // a room of 4 digits.
  const complete = (p, v) => (p.len ? v.length >= p.len : v !== '' && Number(v) * 10 > p.max);

  // fits reports that v may be part p as typed so far (whole: the room
  // has its 3 or 4 digits): no leading 0, no building or unit past the
  // estate's largest, no room past 4 digits.
  function fits(p, v, whole) {
    if (!v || v[0] === '0') return false;
    if (p.len) return v.length <= p.len && (!whole || v.length >= p.min);
    return Number(v) <= p.max;
  }

  // readings lists the ways the digits typed after the fixed groups can
  // be read as the rest of the address, longest building and unit first
  // (12 before 1-2). whole: only readings that fill every part; else
  // also the readings of a beginning, the last group still being typed.
  function readings(parts, fixed, tail, whole) {
    const out = [];
    (function walk(i, pos, groups) {
      if (pos === tail.length) {
        if (!whole || i === parts.length) out.push(groups);
        return;
      }
      if (i === parts.length) return;
      const p = parts[i];
      const longest = p.len || String(p.max).length;
      for (let n = Math.min(longest, tail.length - pos); n >= 1; n--) {
        const v = tail.slice(pos, pos + n);
        const last = pos + n === tail.length;
        if (fits(p, v, whole || !last || !p.len)) walk(i + 1, pos + n, groups.concat([v]));
      }
    })(fixed.length, 0, fixed.slice());
    return out;
  }
  K.addressReadings = readings;

  // The building, the unit and the room on one screen, all typed on the
  // keypad as one run of digits: 3号楼 1单元 401 is 3 1 401. The boxes
  // show the run read with the estate's layout, longest building first;
  // a run that reads two ways (121401 in an estate of 12 buildings:
  // 12号楼1单元401 or 1号楼2单元1401) offers both, and the tap on the
  // resident's own is the 确定, so no digit, box or extra tap is ever
  // needed to end a group. A tap on a box types again from that box.
  S['haircut/room'] = function () {
    const e = estateOf();
    const a = d().address;
    const parts = addressParts(e);
    if (e.buildings === 1) a.building = '';
    if (e.units === 1) a.unit = '';
    // What was typed lives with the address, so that a redraw (a turn of
    // the screen, a new text size) or 返回 from the day keeps it: fixed,
    // the groups ended by a tap on the next box or by picking a reading;
    // tail, the digits typed since.
    if (!a.typed) {
      a.typed = { fixed: [], tail: '' };
      for (const p of parts) {
        if (p.len) a.typed.tail = a[p.key] || '';
        else if (a[p.key] && a.typed.fixed.length === parts.indexOf(p)) a.typed.fixed.push(a[p.key]);
      }
    }
    const fixed = a.typed.fixed;
    let tail = a.typed.tail;
    const keep = () => { a.typed.tail = tail; };
    let problem = '';
    const where = a.estate;
    const boxes = K.el('div', { class: 'parts', id: 'parts' });
    const msg = K.el('p', { class: 'entry-msg', id: 'entry-msg' });
    const actions = K.el('div', { class: 'actions' });

    // shown is the reading the boxes show: the first whole one, else the
    // first beginning; at is the box being typed.
    const shown = () => readings(parts, fixed, tail, true)[0] || readings(parts, fixed, tail, false)[0] || fixed.slice();
    const atOf = (g) => {
      const i = g.length - 1;
      if (i < 0) return 0;
      return Math.min(complete(parts[i], g[i]) || i < fixed.length ? i + 1 : i, parts.length - 1);
    };

    // use puts a whole reading into the address and goes on to the day.
    function use(g) {
      parts.forEach((p, i) => { a[p.key] = g[i]; });
      fixed.splice(0, fixed.length, ...g.slice(0, -1));
      tail = g[g.length - 1];
      keep();
      K.show('haircut/day');
    }

    function draw() {
      keep();
      const g = shown();
      const at = atOf(g);
      parts.forEach((p, i) => { a[p.key] = g[i] || ''; });
      boxes.replaceChildren(...parts.map((p, i) => {
        const v = g[i] || '';
        const b = K.button([K.el('span', { class: v ? 'num' : 'num rest' }, v || (p.len ? '___' : '_')), p.label],
          () => select(i), { cls: 'part' + (i === at ? ' active' : ''), id: 'part-' + p.key });
        b.setAttribute('aria-pressed', i === at ? 'true' : 'false');
        return b;
      }));
      const whole = readings(parts, fixed, tail, true);
      if (whole.length > 1) {
        actions.replaceChildren(...whole.map((r, n) => K.button('是' + parts.map((p, i) => r[i] + p.label).join(''),
          () => use(r), { primary: true, id: 'entry-ok-' + n })));
      } else {
        const ok = K.button('确定', () => use(whole[0]), { primary: true, id: 'entry-ok' });
        K.block(ok, whole.length === 0);
        actions.replaceChildren(ok);
      }
      const p = parts[at];
      const v = g[at] || '';
      let say;
      if (problem) say = K.el('strong', { class: 'bad' }, problem);
      else if (whole.length > 1) say = '这串数字有' + whole.length + '种读法,请点您的地址。';
      else if (whole.length === 1 && at === parts.length - 1) say = '对的话请点“确定”。';
      else if (!v) say = p.len ? '请输入门牌号,例如 401。' : '请输入' + (p.key === 'building' ? '几号楼' : '几单元') + '。';
      else if (!p.len) say = '接着按' + parts.slice(at + 1).map((q) => q.word).join('、') + '就行。';
      else say = '门牌号是3位或4位数字,请接着输入。';
      msg.replaceChildren(say);
    }

    // select types again from box i: the boxes before it keep what they
    // show (a building ended there), it and the ones after are emptied.
    // No box may be skipped.
    function select(i) {
      const g = shown();
      i = Math.min(i, g.length);
      fixed.splice(0, fixed.length, ...g.slice(0, i));
      tail = '';
      problem = '';
      K.session.touched = true;
      draw();
    }

    // refusal says in words why digit k fits no reading: the box being
    // typed takes no more, and the next one does not take it.
    function refusal(k) {
      const g = shown();
      let i = atOf(g);
      let v = g[i] || '';
      for (;;) {
        const p = parts[i];
        if (p.len) return v.length >= p.len ? '门牌号最多4位。' : !v && k === '0' ? '门牌号不以0开头。' : '门牌号对不上,请检查。';
        if (v && Number(v + k) > p.max && parts[i + 1]) { i++; v = ''; continue; }
        if (!v && k === '0') return '没有0' + p.label + '。';
        return where + (p.key === 'building' ? '只有1到' + p.max + '号楼。' : '的楼只有1到' + p.max + '单元。');
      }
    }

    function type(k) {
      problem = '';
      if (readings(parts, fixed, tail + k, false).length === 0) {
        problem = refusal(k);
        K.speech.say(problem);
      } else {
        const before = atOf(shown());
        tail += k;
        K.speech.say(K.digitWord(k));
        const g = shown();
        if (atOf(g) > before && g[before]) K.speech.say(g[before] + parts[before].label, true);
      }
      K.session.touched = true;
      draw();
    }

    function del() {
      problem = '';
      if (!tail && fixed.length) tail = fixed.pop();
      tail = tail.slice(0, -1);
      K.speech.say('删除');
      draw();
    }

    function clear() {
      fixed.length = 0;
      tail = '';
      problem = '';
      K.speech.say('已清空');
      draw();
    }

    draw();
    const words = parts.map((p) => p.word).join('、');
    const example = { building: '3', unit: '1', room: '401' };
    return {
      id: 'haircut/room',
      title: words,
      hint: '在数字键上按' + words + ',例如 ' + parts.map((p) => example[p.key] + (p.len ? '' : p.label)).join('') +
        (parts.length > 1 ? ' 就按 ' + parts.map((p) => example[p.key]).join(' ') : '') + '。点一格可以从那一格重新输入。',
      body: K.section(K.el('div', { class: 'entry' },
        K.el('div', { class: 'side' }, K.el('p', { class: 'entry-lead' }, where + ':' + words + '?'), boxes, msg, actions),
        K.keypad(type, del, clear))),
    };
  };

  // addressText writes a picked address as people write it.
  function addressText(a) {
    return a.estate + (a.building ? a.building + '号楼' : '') + (a.unit ? a.unit + '单元' : '') + a.room;
  }

  // shownAddress writes an address as the server showed it: whole, or to
  // the building (光华街8号院3号楼…) when the room is left out.
  const shownAddress = (a) => (a.room ? addressText(a) : a.estate + (a.building ? a.building + '号楼' : '') + '…');

  // haircut/day shows what will be sent (the service, the address, the
  // masked phone and the name) beside the days: a tap on a day sends the
  // request. The resident's SMS reply 1 confirms it before any barber
  // is told, so no 确认预约 step is needed here.
  S['haircut/day'] = function () {
    const now = K.now();
    const addr = d().address ? addressText(d().address) : d().fileAddress.text;
    let sending = false;
    const items = [];
    for (let i = 0; i < 7; i++) {
      const day = K.addDays(now.ymd, i);
      for (const [half, word] of [['am', '上午'], ['pm', '下午']]) {
        // Today only with a few hours left for a barber to accept it.
        if (i === 0 && ((half === 'am' && now.hour >= 8) || (half === 'pm' && now.hour >= 13))) continue;
        items.push(K.button([K.el('span', { class: 't' }, (i === 0 ? '今天' : i === 1 ? '明天' : K.day(day).md) + ' ' + word),
          K.el('span', { class: 'sub' }, K.dayLabel(day))], (b) => {
          if (sending) return; // one request, whatever else is tapped meanwhile
          sending = true;
          K.busy(b, () => request(day, half, addr), '请点“返回”检查,或找工作人员帮忙。').finally(() => { sending = false; });
        }, { cls: 'card', server: true }));
      }
    }
    const list = K.paged('haircut/day', items, 'grid slots');
    return {
      id: 'haircut/day',
      title: '选择时间',
      hint: '点一下日子就提交;提交后请在手机上回复短信“1”确认。地址不对就点“返回”。',
      body: K.section(K.el('div', { class: 'columns fit-first days' },
        K.el('div', {}, K.facts([['服务', '上门理发'], ['地址', addr], ['手机', K.mask(d().phone)]]), K.namePicker()),
        K.el('div', {}, K.lead('理发师哪天来?点一下就提交:'), ...list.nodes))),
      mounted: list.mount,
    };
  };

  // request sends the haircut request for the day and half day chosen.
  async function request(day, half, addr) {
    d().day = day;
    d().half = half;
    const a = d().address;
    const body = {
      phone: d().phone, name: d().name || '', day, half_day: half,
      address: a ? { estate_id: a.estate_id, building: a.building || '', unit: a.unit || '', room: a.room || '' } : {},
      idempotency_key: K.idem(['haircut', d().phone, day, half, addr].join(':')),
    };
    d().order = await K.submit('POST', '/api/haircuts', body);
    d().orderAddress = addr;
    d().dayChanged = false;
    K.finish('haircut/done');
  }

  // halfLabel writes a day and half day: 12月3日 星期四 下午.
  const halfLabel = (day, half) => K.dayLabel(day) + ' ' + (half === 'am' ? '上午' : '下午');

  // haircut/done says what the server did: a new request; or the open
  // request the phone already had (its own day, not the one just chosen),
  // with the offer to move it to the day chosen; or that it was moved.
  S['haircut/done'] = function () {
    const o = d().order;
    const held = o.existing && !o.replayed && !d().dayChanged;
    const otherDay = held && (o.day !== d().day || o.half_day !== d().half);
    const head = d().dayChanged ? '已改好上门理发的时间' : held ? '您已经约了上门理发' : '上门理发已预约';
    const lines = [];
    const actions = K.doneActions();
    if (held) {
      lines.push(K.el('p', {}, '您原来的预约还在,没有重复预约。'));
      if (otherDay && o.status === 'accepted') {
        lines.push(K.el('p', {}, '理发师已经接单了,要改到', K.el('span', { class: 'num' }, halfLabel(d().day, d().half)), ',请找社区工作人员。'));
      } else if (otherDay) {
        lines.push(K.el('p', {}, '您刚才选的是 ', K.el('span', { class: 'num' }, halfLabel(d().day, d().half)), '。要改过去吗?'));
        actions.prepend(K.button('改到' + K.day(d().day).md + (d().half === 'am' ? '上午' : '下午'), (b) => K.proveThen(b, async () => {
          d().order = await K.submit('POST', '/api/haircuts/' + o.id + '/day', { phone: d().phone, day: d().day, half_day: d().half }, K.proofHeader());
          d().dayChanged = true;
          K.finish('haircut/done');
        }, '请找工作人员帮忙。'), { primary: true, server: true, id: 'change-day' }));
        actions.querySelector('#done').classList.remove('primary');
        actions.querySelector('#done').textContent = '不改,回首页';
      }
    } else {
      // Asked at a kiosk, the visit waits for the reply 1 from the phone;
      // the SMS asking for it is followed until the provider has it.
      if (o.sms) {
        o.notSent = '理发师不会来。请找工作人员帮您办。';
        lines.push(K.smsLine(o.sms, o.phone, o.notSent));
        K.followSMS('haircut/done', 'order', o);
      }
      if (o.sms !== 'refused' && o.sms !== 'failed') {
        lines.push(K.el('p', {}, (o.awaiting_reply ? '请在手机上回复短信“1”确认,确认后才会派理发师。' : '') + '理发师接单后会短信通知您。'));
      }
    }
    return {
      id: 'haircut/done',
      title: head,
      hint: otherDay ? '要改时间就点“改到…”,不改就点“不改,回首页”。' : '1分钟后自动回到首页。',
      autoHome: 60,
      body: K.section(
        K.el('p', { class: held ? 'big-note' : 'big-ok', id: 'outcome' }, held ? head : '✓ ' + head),
        ...lines,
        K.facts([['时间', K.el('span', { class: 'num' }, halfLabel(o.day, o.half_day))],
          // A kiosk sees an order's address to the building (privacy):
          // the open order's so, a new one's as the resident chose it.
          ['地址', held && o.address && o.address.estate ? shownAddress(o.address) : d().orderAddress],
          ['手机', K.el('span', { class: 'num' }, o.phone)]]),
        actions),
    };
  };

  // ---- 托管报名 ----
  const maxChildren = 6; // chorus.MaxChildren: children of one enrolment

  function programmeState(p) {
    const left = Math.max(0, p.capacity - p.taken);
    return left;
  }

  S['enrol/list'] = function () {
    const items = K.data.programmes.map((p) => {
      const status = K.el('span', { class: 'sub' });
      const b = K.button([K.el('span', { class: 't' }, p.title),
        K.el('span', { class: 'sub' }, K.day(p.start_date).md + ' 至 ' + K.day(p.end_date).md),
        K.el('span', { class: 'sub' }, p.min_age + '到' + p.max_age + '岁 · ' + (p.place || '')), status], () => {
        if (d().programmeId !== p.id) d().children = [];
        d().programmeId = p.id;
        K.show('enrol/phone');
      }, { cls: 'card' });
      return K.watch('programme:' + p.id, b, () => {
        const left = programmeState(K.programme(p.id) || p);
        status.replaceChildren(...(left > 0 ? ['还有 ', K.el('span', { class: 'num' }, String(left)), ' 个名额']
          : [K.el('span', { class: 'state-word' }, '已满,可以排队候补')]));
      });
    });
    if (!items.length) items.push(K.el('p', { class: 'note' }, '现在没有可以报名的托管班。请点“首页”回去。'));
    return listScreen('enrol/list', '选择托管班', '点一下要报名的托管班。', '请选择托管班:', items, 'grid cards');
  };

  S['enrol/phone'] = () => K.phoneScreen('enrol/phone', async (phone) => {
    await K.loadNames(phone);
    K.show((d().children || []).length ? 'enrol/confirm' : 'enrol/age');
  }, '请输入家长的11位手机号。');

  S['enrol/age'] = function () {
    const p = K.programme(d().programmeId);
    const n = (d().children || []).length + 1;
    return listScreen('enrol/age', '孩子的年龄', '孩子的名字到服务台再补填。',
      '第 ' + n + ' 个孩子几岁?这个班只收' + p.min_age + '到' + p.max_age + '岁的孩子;不在这个年龄的,请点“返回”选别的班或问工作人员。',
      picker(p.min_age, p.max_age, (a) => a + '岁', (a) => {
        d().children = (d().children || []).concat([{ name: '', age: a }]);
        K.session.pages['enrol/kids'] = maxChildren; // the page with the child just added
        K.show('enrol/confirm');
      }));
  };

  S['enrol/confirm'] = function () {
    const p = K.programme(d().programmeId);
    const kids = d().children || [];
    // The children are a paged list: with many of them, at any text size,
    // 确认报名 stays on the screen (上一页/下一页 show the rest).
    const rows = [];
    kids.forEach((c, i) => {
      rows.push(K.el('div', { class: 'kid' },
        K.el('span', {}, '第' + (i + 1) + '个孩子:', K.el('span', { class: 'num' }, String(c.age)), '岁'),
        K.button('删掉', () => {
          d().children = kids.filter((_, j) => j !== i);
          if (d().children.length) K.render(); else K.show('enrol/age');
        })));
    });
    const list = K.paged('enrol/kids', rows, 'stack kids');
    const more = kids.length < maxChildren ? K.button('再加一个孩子', () => K.show('enrol/age'), { id: 'add-child' }) : null;
    const status = K.el('p', {});
    K.watch('programme:' + p.id, status, () => {
      const left = programmeState(K.programme(p.id) || p);
      status.replaceChildren(...(left >= kids.length ? ['还有 ', K.el('span', { class: 'num' }, String(left)), ' 个名额。']
        : [K.el('strong', {}, '名额不够了,'), '确认后会排队候补,有名额时短信通知您。']));
    });
    const ok = K.button('确认报名', (b) => K.busy(b, async () => {
      const body = {
        programme_id: p.id, phone: d().phone, name: d().name || '', children: kids,
        idempotency_key: K.idem(['enrol', p.id, d().phone, JSON.stringify(kids)].join(':')),
      };
      d().enrolment = await K.submit('POST', '/api/enrolments', body);
      K.finish('enrol/done');
    }, '请点“返回”检查,或找工作人员帮忙。'), { primary: true, server: true, id: 'confirm' });
    return {
      id: 'enrol/confirm',
      title: '请核对',
      hint: '孩子的名字到服务台再补填。核对无误,点“确认报名”。',
      body: K.section(K.el('div', { class: 'columns fit-first' },
        K.el('div', {}, K.facts([['托管班', p.title], ['日期', K.day(p.start_date).md + ' 至 ' + K.day(p.end_date).md],
          ['地点', p.place], ['手机', K.mask(d().phone)]]), status, more ? K.el('div', { class: 'actions' }, more) : null),
        K.el('div', {}, ...list.nodes, K.namePicker(), K.el('div', { class: 'actions' }, ok)))),
      mounted: list.mount,
    };
  };

  // enrolDone is the done screen of an enrolment e (托管 or a term class):
  // held again, waitlisted or enrolled; o.line is the line under the
  // outcome when it is not a waitlist, o.after what follows the SMS line,
  // o.label the programme's name in the facts. An enrolment holding a
  // place with a check-in code (a term class) shows the code and its QR
  // code, as a booking's done screen does, and fills the printed slip with
  // o.slip: {title, facts, foot}.
  K.enrolDone = function (id, e, o) {
    const held = e.existing && !e.replayed;
    if (!held) K.followSMS(id, 'enrolment', e);
    const wait = e.status === 'waitlisted';
    const head = held ? '您已经报过名了' : wait ? '名额已满,已排队候补' : '报名成功';
    const code = !wait && e.code ? e.code : '';
    if (code && o.slip) K.receipt(o.slip.title, code, e.checkin_token, o.slip.facts.concat([['手机', e.phone]]), o.slip.foot);
    const outcome = K.el('p', { class: held ? 'big-note' : 'big-ok', id: 'outcome' }, held ? head : '✓ ' + head);
    const lines = [
      held ? K.el('p', {}, '这是您原来的报名,没有重复报名。') : null,
      wait ? K.el('p', {}, '您排在第 ', K.el('span', { class: 'num' }, String(e.position || 1)), ' 位,有名额时会短信通知您。')
        : o.line,
      K.smsLine(held ? '' : e.sms, e.phone),
      o.after || null,
      K.facts([[o.label, e.programme], ['手机', e.phone]])];
    const body = code
      ? K.section(K.el('div', { class: 'columns' },
        K.el('div', {}, outcome, K.el('div', { class: 'codebox' },
          K.el('div', {}, K.el('p', {}, '签到码:'), K.el('p', { class: 'code', id: 'code' }, code)),
          e.checkin_token ? K.el('img', { class: 'qr', src: '/qr/' + encodeURIComponent(e.checkin_token) + '.png', alt: '签到二维码' }) : null)),
        K.el('div', {}, ...lines)), K.doneActions())
      : K.section(outcome, ...lines, K.doneActions());
    return {
      id,
      title: held ? '您已经报过名了' : wait ? '已排队候补' : '报名成功',
      hint: '1分钟后自动回到首页。',
      autoHome: 60,
      body,
    };
  };

  S['enrol/done'] = function () {
    const e = d().enrolment;
    return K.enrolDone('enrol/done', e, {
      label: '托管班',
      line: K.el('p', {}, '一共 ', K.el('span', { class: 'num' }, String(e.children.length)), ' 个孩子。'),
      after: K.el('p', {}, '孩子的名字请到服务台补填。'),
    });
  };
})(window.K);
