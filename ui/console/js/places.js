'use strict';
// places.js: 地点与小区 (admins only): the places where events and
// programmes happen and the community's estates (小区); adding one and
// renaming it.
(function (C) {
  const h = C.h;

  C.route('places', {
    title: '地点与小区',
    admin: true,
    async render(view, args, ctx) {
      const [pl, es] = await Promise.all([C.api('GET', '/api/places'), C.api('GET', '/api/estates')]);
      if (!C.current(ctx.gen)) return;
      const places = pl.places;
      const estates = es.estates;
      const reload = () => C.render();
      view.append(
        C.section('地点',
          h('p', { class: 'hint' }, '活动和托管在这些地点举行;名称显示在自助机和短信里。'),
          C.table([
            { label: '名称', cell: (p) => h('strong', {}, p.name) },
            { label: '地址', cell: (p) => p.address },
            { label: '操作', cell: (p) => C.button('修改', () => placeDialog(p, places, reload), { class: 'small', 'aria-label': `修改地点:${p.name}` }) },
          ], places, { caption: '地点', empty: '还没有地点。' }),
          h('h3', {}, '添加地点'), placeForm(null, places, reload)),
        C.section('小区',
          h('p', { class: 'hint' }, '居民住址和共建单位的服务范围按小区填写。'),
          C.table([
            { label: '名称', cell: (e) => h('strong', {}, e.name) },
            { label: '物业', cell: (e) => (e.property_management ? '有物业' : '无物业') },
            { label: '楼和单元', cell: (e) => layout(e) },
            { label: '操作', cell: (e) => C.button('修改', () => estateDialog(e, estates, reload), { class: 'small', 'aria-label': `修改小区:${e.name}` }) },
          ], estates, { caption: '小区', empty: '还没有小区。' }),
          h('h3', {}, '添加小区'), estateForm(null, estates, reload)));
    },
  });

  // taken reports whether another item of list already has the name:
  // staff and kiosks tell places and estates apart by name alone.
  const taken = (list, self, name) => list.some((x) => x !== self && x.name.trim() === name);

  // placeForm adds a place (p null) or changes one of places; done() runs after.
  function placeForm(p, places, done) {
    const name = C.input({ name: 'name', required: true, maxlength: 40, value: p ? p.name : '' });
    const address = C.input({ name: 'address', maxlength: 100, value: p ? p.address : '' });
    const f = C.form({
      label: p ? '保存' : '添加地点', name: p ? '修改地点' : '添加地点',
      submit: async () => {
        const body = { name: name.value.trim(), address: address.value.trim() };
        if (taken(places, p, body.name)) throw C.invalid('已经有同名的地点了。');
        const saved = p ? await C.api('PUT', `/api/admin/places/${p.id}`, body) : await C.api('POST', '/api/admin/places', body);
        C.say(p ? `已保存地点“${saved.name}”。` : `已添加地点“${saved.name}”。`);
        done();
      },
    }, h('div', { class: 'grid-2' },
      C.field('地点名称', name, { hint: '最多40个字,例如“社区活动室”。' }),
      C.field('地址', address, { hint: '可以不填,例如“服务中心二楼”。' })));
    f.first = name;
    return f;
  }

  // layout writes an estate's buildings and units as staff read them.
  function layout(e) {
    if (!e.buildings && !e.units) return '未填写(自助机显示1–40号楼)';
    const b = e.buildings === 1 ? '一栋楼,无楼号' : e.buildings ? `${e.buildings}栋楼` : '楼数未填';
    const u = e.units === 1 ? '无单元' : e.units ? `每栋最多${e.units}个单元` : '单元数未填';
    return `${b},${u}`;
  }

  // count is a number field of 0–max for an estate's layout.
  const count = (name, value, max) => C.input({ name, type: 'number', min: 0, max, step: 1, inputmode: 'numeric', value: String(value || 0) });

  // estateForm adds an estate (e null) or changes one of estates; done() runs after.
  function estateForm(e, estates, done) {
    const name = C.input({ name: 'name', required: true, maxlength: 40, value: e ? e.name : '' });
    const managed = C.check('有物业管理', { name: 'property_management', checked: e ? e.property_management : false });
    const buildings = count('buildings', e && e.buildings, 99);
    const units = count('units', e && e.units, 20);
    const f = C.form({
      label: e ? '保存' : '添加小区', name: e ? '修改小区' : '添加小区',
      submit: async () => {
        const body = { name: name.value.trim(), property_management: C.box(managed).checked,
          buildings: Number(buildings.value) || 0, units: Number(units.value) || 0 };
        if (taken(estates, e, body.name)) throw C.invalid('已经有同名的小区了。');
        const saved = e ? await C.api('PUT', `/api/admin/estates/${e.id}`, body) : await C.api('POST', '/api/admin/estates', body);
        C.say(e ? `已保存小区“${saved.name}”。` : `已添加小区“${saved.name}”。`);
        done();
      },
    }, h('div', { class: 'grid-2' }, C.field('小区名称', name, { hint: '最多40个字,例如“光华街16号院”。' }), managed,
      C.field('有几栋楼', buildings, { hint: '楼号从1开始;只有一栋楼、没有楼号的填1;0是还没填。自助机只让居民选这些楼。' }),
      C.field('每栋楼最多几个单元', units, { hint: '没有单元的填1;0是还没填。' })));
    f.first = name;
    return f;
  }

  // placeDialog changes a place in a dialog.
  function placeDialog(p, places, reload) {
    const f = placeForm(p, places, () => {
      d.close();
      reload();
    });
    const d = C.dialog(`修改地点:${p.name}`, f);
    f.first.focus();
  }

  // estateDialog changes an estate in a dialog.
  function estateDialog(e, estates, reload) {
    const f = estateForm(e, estates, () => {
      d.close();
      reload();
    });
    const d = C.dialog(`修改小区:${e.name}`, f);
    f.first.focus();
  }
})(window.C);
