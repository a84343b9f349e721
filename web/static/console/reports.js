// The reports page: filters -> the JSON reports -> Chart.js charts and tables; exports
// fetch the same report as CSV or XLSX. window.reportsReady turns true once drawn.
(function () {
  "use strict";
  const api = window.consoleApi;
  const vi = window.REPORT_LANG !== "en";
  const T = vi ? {
    code: "Mã", unit: "Đơn vị", onTime: "Đúng hẹn", late: "Trễ hẹn", overdue: "Quá hẹn chưa trả", open: "Chưa đến hẹn",
    rate: "Tỷ lệ đúng hẹn", daysLate: "Ngày LV trễ", total: "Tổng", leg: "Chặng", items: "Bưu gửi", done: "Hoàn tất",
    failed: "Phát không thành", postman: "Bưu tá", routes: "Tuyến", stops: "Điểm dừng xong", km: "Km", hours: "Giờ",
    firstRate: "Phát được lần đầu", dossier: "Mã hồ sơ", procedure: "Thủ tục", agency: "Cơ quan", appointment: "Ngày hẹn",
    given: "Ngày trả", notGiven: "Chưa trả", responsible: "Trách nhiệm", none: "Không có hồ sơ trễ hẹn.",
    allOffices: "Tất cả bưu cục", agencyResp: "Cơ quan giải quyết", postResp: "Bưu điện",
    legs: { home_pickup: "Thu gom tại nhà", counter_to_agency: "Một cửa → cơ quan", agency_to_counter: "Cơ quan → một cửa",
            agency_to_office: "Cơ quan → bưu cục", home_delivery: "Phát tại nhà", commune_transfer: "Chuyển giữa các xã" },
  } : {
    code: "Code", unit: "Unit", onTime: "On time", late: "Late", overdue: "Overdue", open: "Not yet due",
    rate: "On-time rate", daysLate: "Working days late", total: "Total", leg: "Leg", items: "Items", done: "Done",
    failed: "Failed", postman: "Postman", routes: "Routes", stops: "Stops done", km: "Km", hours: "Hours",
    firstRate: "First-attempt rate", dossier: "Dossier", procedure: "Procedure", agency: "Agency", appointment: "Appointment",
    given: "Given on", notGiven: "Pending", responsible: "Responsible", none: "No late dossier.",
    allOffices: "All post offices", agencyResp: "Deciding agency", postResp: "Post",
    legs: { home_pickup: "Home pickup", counter_to_agency: "Counter → agency", agency_to_counter: "Agency → counter",
            agency_to_office: "Agency → post office", home_delivery: "Home delivery", commune_transfer: "Commune transfer" },
  };
  const COLOURS = ["#0b5394", "#1e7b34", "#b45309", "#7c3aed", "#0e7490", "#be123c"];
  const charts = {};
  const filters = document.getElementById("filters");

  function pct(rate) { return rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1) + " %"; }
  function query(extra) {
    const p = new URLSearchParams();
    for (const name of ["date_from", "date_to", "post_office_id"]) if (filters[name].value) p.set(name, filters[name].value);
    for (const [k, v] of Object.entries(extra || {})) if (v !== "" && v !== null && v !== undefined) p.set(k, v);
    return p.toString();
  }
  function table(id, headings, rows, numeric) {
    const t = document.getElementById(id);
    t.tHead.innerHTML = ""; t.tBodies[0].innerHTML = "";
    const hr = t.tHead.insertRow();
    headings.forEach((h, i) => { const th = document.createElement("th"); th.textContent = h; if (numeric(i)) th.className = "num"; hr.appendChild(th); });
    for (const row of rows) {
      const tr = t.tBodies[0].insertRow();
      row.forEach((v, i) => { const td = tr.insertCell(); td.textContent = v; if (numeric(i)) td.className = "num"; });
    }
  }
  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false,
                                    datasets: { bar: { maxBarThickness: 56 } } }, config.options || {});
    charts[id] = new Chart(document.getElementById(id), config);
  }

  async function onTime() {
    const data = await api.json("/api/v1/reports/on-time?" + query({ group_by: filters.group_by.value }));
    const t = data.total;
    document.getElementById("on-time-total").textContent =
      `${T.total}: ${pct(t.rate)} — ${T.onTime} ${t.on_time}, ${T.late} ${t.late}, ${T.overdue} ${t.overdue}, ${T.open} ${t.open}`;
    const rows = data.rows.filter((r) => r.rate !== null);
    draw("chart-on-time", {
      type: "bar",
      data: { labels: rows.map((r) => r.name || r.code), datasets: [
        { label: T.onTime, data: rows.map((r) => r.on_time), backgroundColor: COLOURS[1], stack: "s" },
        { label: T.late, data: rows.map((r) => r.late), backgroundColor: COLOURS[2], stack: "s" },
        { label: T.overdue, data: rows.map((r) => r.overdue), backgroundColor: "#b91c1c", stack: "s" }] },
      options: { indexAxis: "y", scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } } },
    });
    table("table-on-time", [T.code, T.unit, T.onTime, T.late, T.overdue, T.open, T.rate, T.daysLate],
      data.rows.map((r) => [r.code, r.name, r.on_time, r.late, r.overdue, r.open, pct(r.rate), r.working_days_late]),
      (i) => i >= 2);
    const agencies = document.getElementById("late-agency");
    if (filters.group_by.value === "agency" && agencies.options.length === 1) {
      for (const r of data.rows) agencies.add(new Option(r.name, r.code));
    }
  }

  async function volumes() {
    const data = await api.json("/api/v1/reports/volumes?" + query());
    draw("chart-volumes", {
      type: "bar",
      data: { labels: data.days.map((d) => d.slice(5)), datasets: data.legs.map((l, i) => (
        { label: T.legs[l.leg], data: l.per_day, backgroundColor: COLOURS[i % COLOURS.length], stack: "s" })) },
      options: { scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } },
    });
    table("table-volumes", [T.leg, T.items, T.done, T.failed],
      data.legs.map((l) => [T.legs[l.leg], l.items, l.done, l.failed]), (i) => i >= 1);
  }

  async function productivity() {
    const data = await api.json("/api/v1/reports/productivity?" + query());
    draw("chart-productivity", {
      type: "bar",
      data: { labels: data.rows.map((r) => r.name), datasets: [
        { label: T.stops, data: data.rows.map((r) => r.stops_done), backgroundColor: COLOURS[0] },
        { label: T.items, data: data.rows.map((r) => r.items), backgroundColor: COLOURS[4] }] },
      options: { scales: { y: { ticks: { precision: 0 } } } },
    });
    table("table-productivity", [T.postman, T.routes, T.stops, T.items, T.km, T.hours, T.firstRate],
      data.rows.map((r) => [r.name, r.routes, r.stops_done, r.items, r.km, r.hours, pct(r.first_attempt_rate)]),
      (i) => i >= 1);
  }

  function lateQuery() {
    return query({ agency_code: document.getElementById("late-agency").value,
                   published: document.getElementById("late-published").checked ? "true" : "" });
  }
  async function lateDossiers() {
    const data = await api.json("/api/v1/reports/late-dossiers?" + lateQuery());
    const apology = document.getElementById("late-apology");
    apology.hidden = !data.published;
    apology.textContent = data.published ? (vi ? data.apology_vi : data.apology_en) : "";
    const resp = (r) => (r.responsible === "post" ? T.postResp : T.agencyResp);
    const headings = [T.dossier, T.procedure, T.agency, T.appointment, T.given, T.daysLate, T.responsible];
    const rows = data.rows.map((r) => [r.dossier_code, r.procedure, r.agency, r.appointment_date,
      r.result_given_on || T.notGiven, r.working_days_late, resp(r)].concat(data.published ? [] : [r.s10, r.post_office]));
    table("table-late", data.published ? headings : headings.concat(["S10", vi ? "Bưu cục" : "Post office"]),
      rows.length ? rows : [[T.none]], (i) => i === 5);
  }

  async function refresh() {
    const msg = document.getElementById("report-msg");
    msg.innerHTML = "";
    window.reportsReady = false;
    // The language switch keeps the filters.
    const other = new URLSearchParams(query({ group_by: filters.group_by.value }));
    other.set("lang", vi ? "en" : "vi");
    document.getElementById("lang-switch").href = "?" + other.toString();
    try {
      await Promise.all([onTime(), volumes(), productivity()]);
      await lateDossiers();
      window.reportsReady = true;
    } catch (e) {
      msg.innerHTML = '<div class="msg err"></div>';
      msg.firstChild.textContent = e.message;
    }
  }

  async function start() {
    document.getElementById("reports").hidden = false;
    const today = new Date();
    const local = (d) => new Date(d.getTime() + 7 * 3600e3).toISOString().slice(0, 10);  // Asia/Ho_Chi_Minh
    const params = new URLSearchParams(location.search);
    filters.date_to.value = params.get("date_to") || local(today);
    filters.date_from.value = params.get("date_from") || local(new Date(today.getTime() - 29 * 86400e3));
    const offices = await api.json("/api/v1/reports/post-offices");
    const select = filters.post_office_id;
    if (offices.length !== 1) select.add(new Option(T.allOffices, ""));
    for (const o of offices) select.add(new Option(`${o.code} — ${o.name}`, o.id));
    if (params.get("post_office_id")) select.value = params.get("post_office_id");
    if (params.get("group_by")) filters.group_by.value = params.get("group_by");
    filters.addEventListener("submit", (ev) => { ev.preventDefault(); refresh(); });
    document.getElementById("late-agency").addEventListener("change", lateDossiers);
    document.getElementById("late-published").addEventListener("change", lateDossiers);
    document.querySelectorAll("[data-export]").forEach((button) => button.addEventListener("click", async () => {
      const kind = button.dataset.export, fmt = button.dataset.format;
      const extra = kind === "on-time" ? { group_by: filters.group_by.value } : {};
      const q = kind === "late-dossiers" ? lateQuery() : query(extra);
      try { await api.download(`/api/v1/reports/${kind}?${q}&format=${fmt}`, `${kind}.${fmt}`); }
      catch (e) { document.getElementById("report-msg").textContent = e.message; }
    }));
    await refresh();
  }
  api.guard(start);
})();
