'use strict';
// services.js: home haircuts (上门理发: phone → address on file or 小区 →
// 楼号 → 单元 → 室 → day and half-day → confirm → done) and holiday
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

  // The building: only the estate's buildings (1–40 while staff have not
  // entered them); an estate of one building has none to choose.
  S['haircut/building'] = function () {
    const e = estateOf();
    const n = e.buildings || 40;
    const pick = (b) => { d().address.building = b; K.show('haircut/room'); };
    const items = e.buildings ? [] : [K.button('没有楼号', () => pick(''))];
    return listScreen('haircut/building', '选择楼号', '点一下您住的楼。', d().address.estate + ':几号楼?',
      items.concat(picker(1, n, (i) => i + '号楼', (i) => pick(String(i)))));
  };

  // chooseEstate goes on from the estate: straight to the room when the
  // estate has one building.
  function chooseEstate(e) {
    d().address = { estate_id: e.id, estate: e.name };
    if (e.buildings === 1) {
      d().address.building = '';
      K.show('haircut/room');
    } else {
      K.show('haircut/building');
    }
  }
  K.chooseEstate = chooseEstate;

  // The unit and the room on one screen: the estate's units as buttons
  // (none when it has one), the room typed on the keypad (3 or 4 digits).
  S['haircut/room'] = function () {
    const e = estateOf();
    const a = d().address;
    const units = e.units === 1 ? [] : Array.from({ length: e.units || 6 }, (_, i) => String(i + 1));
    if (!units.length) a.unit = '';
    let redraw = () => {};
    const row = K.el('div', { class: 'actions choices units' });
    function drawUnits() {
      row.replaceChildren(...units.map((u) => {
        const chosen = a.unit === u;
        const b = K.button((chosen ? '✓ ' : '') + u + '单元', () => { a.unit = u; drawUnits(); redraw(); }, { cls: chosen ? 'chosen' : '' });
        b.setAttribute('aria-pressed', chosen ? 'true' : 'false');
        return b;
      }));
    }
    drawUnits();
    return {
      id: 'haircut/room',
      title: units.length ? '单元和门牌号' : '门牌号',
      hint: units.length ? '先点几单元,再在数字键上输入门牌号,例如 401。' : '在数字键上输入门牌号,例如 401。',
      body: K.section(withUnits(K.entry({
        field: 'room', length: 4, min: 3, groups: [4],
        lead: units.length ? '' : a.estate + (a.building ? a.building + '号楼' : '') + ',门牌号是?',
        label: '确定', server: false,
        ready: () => !units.length || a.unit !== undefined,
        check: (v) => (v[0] === '0' ? '门牌号不以0开头,请点“清空”重新输入。' : ''),
        redraw: (fn) => { redraw = fn; },
        done: (v) => {
          a.room = v;
          K.show('haircut/day');
        },
      }))),
    };
    // withUnits puts the unit buttons above the room's digits.
    function withUnits(entry) {
      if (units.length) {
        entry.querySelector('.side').prepend(K.el('p', { class: 'entry-lead' }, a.estate + (a.building ? a.building + '号楼' : '') + ',几单元?门牌号是?'), row);
      }
      return entry;
    }
  };

  // addressText writes a picked address as people write it.
  function addressText(a) {
    return a.estate + (a.building ? a.building + '号楼' : '') + (a.unit ? a.unit + '单元' : '') + a.room;
  }

  S['haircut/day'] = function () {
    const now = K.now();
    const items = [];
    for (let i = 0; i < 7; i++) {
      const day = K.addDays(now.ymd, i);
      for (const [half, word] of [['am', '上午'], ['pm', '下午']]) {
        // Today only with a few hours left for a barber to accept it.
        if (i === 0 && ((half === 'am' && now.hour >= 8) || (half === 'pm' && now.hour >= 13))) continue;
        items.push(K.button([K.el('span', { class: 't' }, (i === 0 ? '今天' : i === 1 ? '明天' : K.day(day).md) + ' ' + word),
          K.el('span', { class: 'sub' }, K.dayLabel(day))], () => {
          d().day = day;
          d().half = half;
          K.show('haircut/confirm');
        }, { cls: 'card' }));
      }
    }
    return listScreen('haircut/day', '选择时间', '点一下您方便的日子和上午或下午。', '理发师哪天来?', items, 'grid cards');
  };

  S['haircut/confirm'] = function () {
    const addr = d().address ? addressText(d().address) : d().fileAddress.text;
    const ok = K.button('确认预约', (b) => K.busy(b, async () => {
      const a = d().address;
      const body = {
        phone: d().phone, name: d().name || '', day: d().day, half_day: d().half,
        address: a ? { estate_id: a.estate_id, building: a.building || '', unit: a.unit || '', room: a.room || '' } : {},
        idempotency_key: K.idem(['haircut', d().phone, d().day, d().half, addr].join(':')),
      };
      d().order = await K.submit('POST', '/api/haircuts', body);
      d().orderAddress = addr;
      d().dayChanged = false;
      K.finish('haircut/done');
    }, '请点“返回”检查,或找工作人员帮忙。'), { primary: true, server: true, id: 'confirm' });
    return {
      id: 'haircut/confirm',
      title: '请核对',
      hint: '核对无误,点“确认预约”。要改就点“返回”。',
      body: K.section(K.el('div', { class: 'columns' },
        K.el('div', {}, K.facts([['服务', '上门理发'], ['时间', K.dayLabel(d().day) + ' ' + (d().half === 'am' ? '上午' : '下午')],
          ['地址', addr], ['手机', K.mask(d().phone)]])),
        K.el('div', {}, K.namePicker(), K.el('div', { class: 'actions' }, ok)))),
    };
  };

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
      // Asked at a kiosk, the visit waits for the reply 1 from the phone.
      lines.push(K.el('p', {}, (o.awaiting_reply ? '请在手机上回复短信“1”确认,确认后才会派理发师。' : '') + '理发师接单后会短信通知您。'));
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
          ['地址', o.address && o.address.estate ? addressText(o.address) : d().orderAddress],
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

  S['enrol/done'] = function () {
    const e = d().enrolment;
    const held = e.existing && !e.replayed;
    const wait = e.status === 'waitlisted';
    const head = held ? '您已经报过名了' : wait ? '名额已满,已排队候补' : '报名成功';
    return {
      id: 'enrol/done',
      title: held ? '您已经报过名了' : wait ? '已排队候补' : '报名成功',
      hint: '1分钟后自动回到首页。',
      autoHome: 60,
      body: K.section(
        K.el('p', { class: held ? 'big-note' : 'big-ok', id: 'outcome' }, held ? head : '✓ ' + head),
        held ? K.el('p', {}, '这是您原来的报名,没有重复报名。') : null,
        wait ? K.el('p', {}, '您排在第 ', K.el('span', { class: 'num' }, String(e.position || 1)), ' 位,有名额时会短信通知您。')
          : K.el('p', {}, '一共 ', K.el('span', { class: 'num' }, String(e.children.length)), ' 个孩子。'),
        K.smsLine(held ? '' : e.sms, e.phone),
        K.el('p', {}, '孩子的名字请到服务台补填。'),
        K.facts([['托管班', e.programme], ['手机', e.phone]]),
        K.doneActions()),
    };
  };
})(window.K);
