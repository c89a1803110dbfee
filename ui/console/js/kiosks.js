'use strict';
// kiosks.js: 自助机: the kiosks with their online state; adding one and
// pairing it (code and QR code), renaming, mode, display settings, reload,
// revoking; and announcements shown on the kiosks' welcome screens.
(function (C) {
  const h = C.h;

  // How often the list reloads by itself, in milliseconds. The live feed
  // tells when a kiosk connects or leaves; one that falls silent (a cable
  // pulled) shows as offline after 30 s, which only a poll notices.
  const pollLive = 30000;
  const pollDown = 15000;

  C.route('kiosks', {
    title: '自助机',
    async render(view, args, ctx) {
      const [places, events, classes] = await Promise.all([C.api('GET', '/api/places'), C.currentEvents(),
        C.api('GET', '/api/admin/classes?when=upcoming')]);
      const ref = { places: places.places, events, classes: classes.classes || [] };
      const listBody = h('div');
      const annBody = h('div');
      const summary = h('p', { class: 'summary' });

      async function reload() {
        const [{ kiosks }, { announcements }] = await Promise.all([C.api('GET', '/api/admin/kiosks'), C.api('GET', '/api/admin/announcements')]);
        if (!C.current(ctx.gen)) return;
        ref.kiosks = kiosks;
        const live = kiosks.filter((k) => !k.revoked);
        summary.textContent = `在线 ${live.filter((k) => k.online).length} 台,共 ${live.length} 台。`;
        listBody.replaceChildren(kioskTable(kiosks, ref, reload));
        annBody.replaceChildren(C.table([
          { label: '内容', cell: (a) => a.text },
          { label: '发给', cell: (a) => audience(a, ref) },
          { label: '朗读', cell: (a) => (a.speak ? '朗读' : '不朗读') },
          { label: '显示到', cell: (a) => C.when(a.expires_at) },
        ], announcements, { caption: '正在显示的通知', empty: '没有正在显示的通知。' }));
      }

      const updated = h('span', { class: 'updated' });
      view.append(h('p', { class: 'refresh' }, updated), summary);
      if (C.isAdmin()) view.append(C.section('添加自助机', addForm(ref, reload)));
      view.append(C.section('全部自助机', listBody), C.section('发通知', announceForm(ref, reload), annBody));
      await C.fresh(ctx, { watch: ['kiosks'], load: reload, status: updated, pollLive, pollDown });
    },
  });

  function audience(a, ref) {
    if (a.kiosk_id) {
      const k = (ref.kiosks || []).find((x) => x.id === a.kiosk_id);
      return k ? `自助机:${k.place} · ${k.name}` : `自助机 #${a.kiosk_id}`;
    }
    if (a.place_id) {
      const p = ref.places.find((x) => x.id === a.place_id);
      return `${p ? p.name : '地点 #' + a.place_id}的自助机`;
    }
    return '全部自助机';
  }

  function modeText(k, ref) {
    const m = k.mode || { kind: 'booking' };
    if (m.kind === 'checkin' && m.class_id) {
      const c = ref.classes.find((x) => x.id === m.class_id);
      return `签到:${c ? c.title : m.event_title || '课程 #' + m.class_id}(课程)`;
    }
    if (m.kind === 'checkin') {
      const e = ref.events.find((x) => x.id === m.event_id);
      return `签到:${e ? e.title : '活动 #' + m.event_id}`;
    }
    if (m.kind === 'closed') return `暂停服务${m.message ? ':' + m.message : ''}`;
    return '预约';
  }

  function kioskTable(kiosks, ref, reload) {
    return C.table([
      { label: '自助机', cell: (k) => [h('strong', {}, k.name), h('span', { class: 'sub' }, k.place)] },
      { label: '状态', cell: (k) => {
        if (k.revoked) return C.badge('已停用', 'gone');
        if (!k.paired_at) return C.badge('还没配对', 'warn');
        return [C.badge(k.online ? '在线' : '离线', k.online ? 'ok' : 'alert'),
          h('span', { class: 'sub' }, k.online ? (k.screen ? `画面:${k.screen}` : '') : k.last_seen ? `最后联系 ${C.stamp(k.last_seen)}` : '启动后没有联系过')];
      } },
      { label: '模式', cell: (k) => modeText(k, ref) },
      { label: '版本', cell: (k) => k.app_version || '' },
      { label: '操作', cell: (k) => actions(k, ref, reload) },
    ], kiosks, { caption: '全部自助机', empty: '还没有自助机。' });
  }

  function actions(k, ref, reload) {
    const out = [];
    const act = (label, fn, cls) => out.push(C.button(label, fn, { class: 'small' + (cls ? ' ' + cls : ''), 'aria-label': `${label}:${k.name}` }));
    if (!k.revoked) {
      act('模式', () => modeDialog(k, ref, reload));
      act('显示设置', () => settingsDialog(k, reload));
      act('重新加载', async () => {
        await C.api('POST', `/api/admin/kiosks/${k.id}/reload`, {});
        C.say(`已让“${k.name}”在没人使用时重新加载页面。`);
      });
    }
    if (C.isAdmin()) {
      if (!k.revoked) act('改名', () => renameDialog(k, ref, reload));
      act(k.revoked ? '重新配对' : '配对码', async () => {
        const r = await C.api('POST', `/api/admin/kiosks/${k.id}/pairing`, {});
        pairingDialog(r);
        await reload();
      });
      if (!k.revoked) {
        act('停用', async () => {
          if (!(await C.confirm(`停用“${k.name}”?`, '停用后这台自助机马上断开,回到配对页面;要再用需要新的配对码。', '停用', true))) return;
          await C.api('POST', `/api/admin/kiosks/${k.id}/revoke`, {});
          C.say(`已停用“${k.name}”。`);
          await reload();
        }, 'danger');
      }
    }
    return h('span', { class: 'row-actions' }, out);
  }

  // pairingDialog shows a pairing code, its URL and its QR code.
  function pairingDialog(r) {
    const code = r.pairing_code;
    const d = C.dialog(`配对自助机:${r.kiosk.name}`,
      h('p', {}, '在自助机上打开下面的网址(或用自助机的摄像头扫二维码),也可以在自助机的配对页面输入配对码。'),
      h('p', { class: 'pair-code' }, h('span', { class: 'sr-only' }, '配对码 '), h('span', { id: 'pairing-code', class: 'digits' }, code)),
      h('img', { class: 'qr', id: 'pairing-qr', src: r.qr, alt: `配对二维码,内容是 ${r.pairing_url}`, width: 320, height: 320 }),
      h('p', {}, '网址:', h('code', { id: 'pairing-url', class: 'url' }, r.pairing_url)),
      h('p', { class: 'hint' }, `配对码只显示这一次,${C.when(r.pairing_expires_at)}前有效,用过就失效。`));
    return d;
  }

  function addForm(ref, reload) {
    const name = C.input({ name: 'name', required: true, maxlength: 40, placeholder: '例如 活动室东墙' });
    const place = C.select(ref.places.map((p) => [p.id, p.name]), { name: 'place', required: true });
    const f = C.form({
      label: '添加并配对', name: '添加自助机',
      submit: async () => {
        const r = await C.api('POST', '/api/admin/kiosks', { name: name.value.trim(), place_id: Number(place.value) });
        f.reset(); // also forgets that the emptied name was touched
        await reload();
        pairingDialog(r);
      },
    }, h('div', { class: 'grid-2' }, C.field('名称', name), C.field('地点', place)));
    return f;
  }

  function renameDialog(k, ref, reload) {
    const name = C.input({ required: true, maxlength: 40, value: k.name });
    const place = C.select(ref.places.map((p) => [p.id, p.name]), { value: k.place_id });
    const f = C.form({
      label: '保存', name: '改名',
      submit: async () => {
        await C.api('PUT', `/api/admin/kiosks/${k.id}`, { name: name.value.trim(), place_id: Number(place.value) });
        d.close();
        C.say('已保存。');
        await reload();
      },
    }, C.field('名称', name), C.field('地点', place));
    const d = C.dialog(`改名:${k.name}`, f);
    name.focus();
  }

  function modeDialog(k, ref, reload) {
    const m = k.mode || { kind: 'booking' };
    const kind = C.select([['booking', '预约:居民预约、报名、查询'], ['checkin', '签到:居民为一个活动或一门课程签到'], ['closed', '暂停服务:只显示一段话']], { value: m.kind });
    // One list: the events, then the classes (checked in at the day's
    // session); values are event:ID and class:ID.
    const event = C.select([
      ...ref.events.map((e) => [`event:${e.id}`, `${e.title} · ${C.eventWhen(e)}`]),
      ...ref.classes.map((c) => [`class:${c.id}`, `课程:${c.title} · 每周${'一二三四五六日'[c.weekday - 1]} ${c.start_time}`]),
    ], { name: 'checkin_for', value: m.class_id ? `class:${m.class_id}` : m.event_id ? `event:${m.event_id}` : '' });
    const msg = h('textarea', { rows: 2, maxlength: 100 });
    msg.value = m.message || '';
    const evField = C.field('签到的活动或课程', event, { hint: '选了课程,自助机为这门课当天的课签到(签到码或二维码)。' });
    const msgField = C.field('暂停服务时显示的话', msg, { hint: '最多100字;不填显示默认的话。' });
    const sync = () => {
      evField.hidden = kind.value !== 'checkin';
      msgField.hidden = kind.value !== 'closed';
    };
    kind.addEventListener('change', sync);
    sync();
    const f = C.form({
      label: '保存', name: '自助机模式',
      submit: async () => {
        const body = { kind: kind.value };
        if (kind.value === 'checkin') {
          const [what, id] = event.value.split(':');
          body[what === 'class' ? 'class_id' : 'event_id'] = Number(id);
        }
        if (kind.value === 'closed') body.message = msg.value.trim();
        await C.api('PUT', `/api/admin/kiosks/${k.id}/mode`, body);
        d.close();
        C.say(`“${k.name}”已改为${C.label('mode', kind.value)}模式。`);
        await reload();
      },
    }, C.field('模式', kind), evField, msgField);
    const d = C.dialog(`模式:${k.name}`, f);
    kind.focus();
  }

  function settingsDialog(k, reload) {
    const s = k.settings || {};
    const idle = C.input({ type: 'number', min: 30, max: 600, step: 1, inputmode: 'numeric', value: s.idle_seconds || 90, required: true });
    const size = C.select([[0, '大'], [1, '较大'], [2, '特大']], { value: s.text_size || 0 });
    const printer = C.check('有凭条打印机', { checked: !!s.printer });
    const f = C.form({
      label: '保存', name: '显示设置',
      submit: async () => {
        await C.api('PUT', `/api/admin/kiosks/${k.id}/settings`, { idle_seconds: Number(idle.value), text_size: Number(size.value), printer: C.box(printer).checked });
        d.close();
        C.say('已保存显示设置。');
        await reload();
      },
    }, C.field('无人操作多少秒后回到首页', idle, { hint: '30 到 600 秒。' }), C.field('默认字号', size), printer);
    const d = C.dialog(`显示设置:${k.name}`, f);
    idle.focus();
  }

  function announceForm(ref, reload) {
    const text = h('textarea', { name: 'text', rows: 2, maxlength: 100, required: true });
    const count = h('p', { class: 'hint', 'aria-live': 'polite' }, '还能写 100 个字。');
    text.addEventListener('input', () => {
      count.textContent = `还能写 ${100 - [...text.value].length} 个字。`;
    });
    const speak = C.check('在自助机上朗读', { name: 'speak' });
    const to = C.select([], { name: 'to' });
    const fill = () => {
      to.replaceChildren(h('option', { value: 'all' }, '全部自助机'),
        ...ref.places.map((p) => h('option', { value: 'p' + p.id }, `${p.name}的自助机`)),
        ...(ref.kiosks || []).filter((k) => !k.revoked).map((k) => h('option', { value: 'k' + k.id }, `自助机:${k.place} · ${k.name}`)));
    };
    fill();
    to.addEventListener('focus', () => {
      const v = to.value;
      fill();
      to.value = v;
    });
    const until = C.input({ type: 'datetime-local', name: 'until' });
    const f = C.form({
      label: '发布通知', name: '发通知',
      submit: async () => {
        const body = { text: text.value.trim(), speak: C.box(speak).checked };
        if (to.value.startsWith('p')) body.place_id = Number(to.value.slice(1));
        if (to.value.startsWith('k')) body.kiosk_id = Number(to.value.slice(1));
        if (until.value) body.expires_at = C.iso(until.value.slice(0, 10), until.value.slice(11, 16));
        await C.api('POST', '/api/admin/announcements', body);
        f.reset();
        count.textContent = '还能写 100 个字。';
        f.showOK('通知已发布,在线的自助机马上就会显示。');
        await reload();
      },
    },
    C.field('通知内容', text, { wide: true, hint: '显示在自助机首页上,最多100字。' }), count,
    h('div', { class: 'grid-3' }, C.field('发给', to), C.field('显示到', until, { hint: '不填显示12小时。' })), speak);
    return f;
  }
})(window.C);
