/* The dispatcher console: plain JavaScript on the dispatcher API, no build step.
 * State is in `state`; the map is redrawn from the API's answers (routes as GeoJSON,
 * live positions and progress polled every few seconds). Test hooks: window.consoleState. */
(function () {
  "use strict";

  var T = {
    vi: {
      title: "Điều phối bưu cục", office: "Bưu cục", day: "Ngày", load: "Xem", sign_in: "Đăng nhập",
      sign_out: "Đăng xuất", username: "Tên đăng nhập", password: "Mật khẩu", plan: "Lập lộ trình",
      reoptimise: "Tối ưu lại", time_limit: "Thời gian tối ưu (giây)", postmen: "Bưu tá", stop: "Điểm dừng",
      move_to: "Chuyển cho", move: "Chuyển", pin: "Ghim điểm", unpin: "Bỏ ghim", pin_route: "Ghim tuyến",
      unpin_route: "Bỏ ghim tuyến", exceptions: "Cần chú ý", unplanned: "Chưa xếp tuyến", km: "km", items: "bưu gửi",
      stops: "điểm", done: "xong", window: "Khung giờ", status: "Trạng thái", queued: "Đang chờ máy chủ lộ trình…",
      running: "Đang tối ưu", finished: "Đã lập xong lộ trình", failed: "Lập lộ trình thất bại",
      moved: "Đã chuyển điểm dừng", pinned: "Đã ghim", unpinned: "Đã bỏ ghim", bad_login: "Sai tên đăng nhập hoặc mật khẩu",
      not_dispatcher: "Tài khoản này không phải điều phối viên", seen: "cập nhật",
      failed_attempt: "Phát không thành công", geofence: "Quét ngoài vị trí", deadline_at_risk: "Có nguy cơ trễ hạn",
      mandatory: "bắt buộc hôm nay", due: "hạn", none: "Không có",
      pickup: "nhận", delivery: "phát", home: "nhà dân", counter: "một cửa", agency: "cơ quan", post_office: "bưu cục",
      urgent: "Thêm hồ sơ khẩn trong ngày", leg: "Chặng", home_pickup: "Nhận hồ sơ tại nhà",
      home_delivery: "Phát kết quả tại nhà", dossier_code: "Mã hồ sơ", procedure_code: "Mã thủ tục",
      agency_code: "Mã cơ quan", counter_code: "Mã bộ phận một cửa", full_name: "Họ tên", phone: "Điện thoại",
      address: "Địa chỉ", commune_code: "Mã xã/phường", click_map: "Bấm lên bản đồ để đặt vị trí nhà:", add: "Thêm",
      urgent_added: "Đã thêm hồ sơ khẩn; bấm Tối ưu lại để xếp vào tuyến", need_place: "Hãy bấm lên bản đồ để đặt vị trí",
      pinned_badge: "đã ghim", pending: "chờ", arrived: "đang ở điểm", skipped: "bỏ qua",
      after_booked_window: "dự kiến đến sau khung giờ đã hẹn", after_shift_on_due_day: "dự kiến đến sau giờ làm ngày hết hạn",
      outside_geofence: "ngoài bán kính địa điểm", poor_accuracy: "GPS kém chính xác", no_position: "không có vị trí",
      clock_skew: "lệch đồng hồ", not_home: "vắng nhà", refused: "từ chối nhận", wrong_address: "sai địa chỉ",
      no_id_document: "không có giấy tờ", access_restricted: "không vào được"
    },
    en: {
      title: "Post office dispatch", office: "Post office", day: "Day", load: "Show", sign_in: "Sign in",
      sign_out: "Sign out", username: "Username", password: "Password", plan: "Plan the day",
      reoptimise: "Re-optimise", time_limit: "Solver time (s)", postmen: "Postmen", stop: "Stop",
      move_to: "Move to", move: "Move", pin: "Pin stop", unpin: "Unpin", pin_route: "Pin route",
      unpin_route: "Unpin route", exceptions: "Needs attention", unplanned: "Unplanned", km: "km", items: "items",
      stops: "stops", done: "done", window: "Window", status: "Status", queued: "Waiting for the routing worker…",
      running: "Optimising", finished: "The day is planned", failed: "Planning failed",
      moved: "Stop moved", pinned: "Pinned", unpinned: "Unpinned", bad_login: "Wrong username or password",
      not_dispatcher: "This account is not a dispatcher's", seen: "seen",
      failed_attempt: "Failed attempt", geofence: "Scanned off-site", deadline_at_risk: "Deadline at risk",
      mandatory: "due today", due: "due", none: "None",
      pickup: "pickup", delivery: "delivery", home: "home", counter: "counter", agency: "agency", post_office: "post office",
      urgent: "Add an urgent dossier today", leg: "Leg", home_pickup: "Pickup at home",
      home_delivery: "Delivery at home", dossier_code: "Dossier code", procedure_code: "Procedure code",
      agency_code: "Agency code", counter_code: "Counter code", full_name: "Full name", phone: "Phone",
      address: "Address", commune_code: "Commune code", click_map: "Click the map to place the home:", add: "Add",
      urgent_added: "Urgent dossier added; re-optimise to route it", need_place: "Click the map to place the home first",
      pinned_badge: "pinned", pending: "pending", arrived: "at the stop", skipped: "skipped",
      after_booked_window: "expected after the booked window", after_shift_on_due_day: "expected after the shift on its due day",
      outside_geofence: "away from the place", poor_accuracy: "poor GPS accuracy", no_position: "no position",
      clock_skew: "clock skew", not_home: "not at home", refused: "refused", wrong_address: "wrong address",
      no_id_document: "no ID document", access_restricted: "no access"
    }
  };
  var COLORS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#0f9bab", "#f032e6", "#808000",
                "#9a6324", "#000075", "#469990", "#800000"];
  var POLL_MS = window.CONSOLE_POLL_MS || 3000;
  var body = document.body;
  var lang = body.dataset.lang === "en" ? "en" : "vi";
  var t = function (key) { return T[lang][key] || key; };
  var $ = function (id) { return document.getElementById(id); };
  var state = { token: sessionStorage.getItem("console.token"), office: null, day: null, routes: null,
                postmen: [], stops: {}, selected: null, live: null, liveTimer: null, jobTimer: null };
  window.consoleState = { ready: false, routeLines: 0, liveUpdates: 0, lastJob: null,
    pointOf: function (lat, lon) { var p = map.latLngToContainerPoint([lat, lon]); return { x: p.x, y: p.y }; } };

  document.querySelectorAll("[data-t]").forEach(function (el) { el.textContent = t(el.dataset.t); });

  // ------------------------------------------------------------------ API
  function api(method, path, payload) {
    var options = { method: method, headers: { "Authorization": "Bearer " + state.token } };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(path, options).then(function (response) {
      return response.text().then(function (text) {
        var data = text ? JSON.parse(text) : null;
        if (response.status === 401) { signOut(); }
        if (!response.ok) {
          var error = new Error((data && data.detail) || response.statusText);
          error.code = data && data.error;
          throw error;
        }
        return data;
      });
    });
  }
  function dayPath(suffix) {
    return "/api/v1/dispatch/offices/" + state.office + "/days/" + state.day + suffix;
  }
  function say(text, kind) {
    var msg = $("msg");
    msg.textContent = text || "";
    msg.className = "msg " + (kind || "");
  }
  function fail(error) { say(error.message + (error.code ? " (" + error.code + ")" : ""), "err"); }

  // ------------------------------------------------------------------ sign-in
  function signOut() {
    sessionStorage.removeItem("console.token");
    state.token = null;
    if (state.liveTimer) { clearInterval(state.liveTimer); }
    $("console").hidden = true; $("day-form").hidden = true; $("sign-out").hidden = true;
    $("login").hidden = false; $("who").textContent = "";
  }
  $("sign-out").addEventListener("click", signOut);
  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    fetch("/api/v1/auth/token", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: form.username.value, password: form.password.value })
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(t("bad_login")); }
        if (["dispatcher", "admin"].indexOf(data.user.role) < 0) { throw new Error(t("not_dispatcher")); }
        state.token = data.access_token;
        sessionStorage.setItem("console.token", state.token);
        sessionStorage.setItem("console.user", data.user.username);
        start();
      });
    }).catch(function (error) { $("login-msg").textContent = error.message; });
  });

  // ------------------------------------------------------------------ map
  var map = L.map("map", { preferCanvas: false }).setView([14.0, 108.0], 6);
  L.tileLayer(body.dataset.tileUrl, { maxZoom: 19, attribution: body.dataset.tileAttribution }).addTo(map);
  var layers = { routes: L.layerGroup().addTo(map), unplanned: L.layerGroup().addTo(map),
                 live: L.layerGroup().addTo(map), exceptions: L.layerGroup().addTo(map) };

  function colorOf(index) { return COLORS[index % COLORS.length]; }
  function localTime(iso) {
    if (!iso) { return "–"; }
    return new Date(iso).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" });
  }

  function drawRoutes(fit) {
    layers.routes.clearLayers();
    state.stops = {};
    var features = state.routes ? state.routes.geojson.features : [];
    var colorOfRoute = {};
    var bounds = [];
    var lines = 0;
    features.forEach(function (f) {
      if (f.properties.kind !== "route") { return; }
      var color = colorOf(f.properties.color_index);
      colorOfRoute[f.properties.route_id] = color;
      var latlngs = f.geometry.coordinates.map(function (c) { return [c[1], c[0]]; });
      if (latlngs.length < 2) { return; }
      L.polyline(latlngs, { color: color, weight: f.properties.pinned ? 6 : 4, opacity: 0.8,
                            className: "route-line route-" + f.properties.route_id }).addTo(layers.routes);
      bounds = bounds.concat(latlngs);
      lines += 1;
    });
    features.forEach(function (f) {
      if (f.properties.kind !== "stop") { return; }
      var p = f.properties;
      state.stops[p.stop_id] = p;
      var marker = L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
        radius: p.pinned ? 8 : 6, color: colorOfRoute[p.route_id], weight: p.pinned ? 4 : 2,
        fillColor: p.status === "done" ? "#9ca3af" : "#ffffff", fillOpacity: 1,
        className: "stop stop-" + p.stop_id + " stop-" + p.status + (p.pinned ? " stop-pinned" : "")
      }).addTo(layers.routes);
      marker.bindTooltip((p.seq + 1) + ". " + localTime(p.arrive_from) + "–" + localTime(p.arrive_to));
      marker.on("click", function () { selectStop(p.stop_id); });
      marker.on("mousedown", function (event) { startDrag(p, event); });
    });
    if (state.routes) {
      var office = officeById(state.office);
      if (office) {
        L.marker([office.lat, office.lon], { icon: L.divIcon({ className: "depot-marker", html: office.code }) })
          .addTo(layers.routes);
        bounds.push([office.lat, office.lon]);
      }
    }
    if (fit && bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15, animate: false }); }
    window.consoleState.routeLines = lines;
  }

  function drawPostmen() {
    var list = $("postmen");
    list.innerHTML = "";
    var routeProps = {};
    (state.routes ? state.routes.geojson.features : []).forEach(function (f) {
      if (f.properties.kind === "route") { routeProps[f.properties.route_id] = f.properties; }
    });
    var progress = {};
    (state.live ? state.live.routes : []).forEach(function (r) { progress[r.route_id] = r; });
    state.postmen.forEach(function (pm) {
      var route = pm.route_id ? routeProps[pm.route_id] : null;
      var li = document.createElement("li");
      li.dataset.postmanId = pm.postman_id;
      if (route && route.pinned) { li.className = "pinned"; }
      var swatch = '<span class="swatch" style="background:' + (route ? colorOf(route.color_index) : "#cbd5e1") + '"></span>';
      var name = '<span class="name">' + escapeHtml(pm.full_name) +
        (route && route.pinned ? ' <span class="badge pin-badge">' + t("pinned_badge") + "</span>" : "") + "</span>";
      var meta = "";
      if (route) {
        var done = progress[route.route_id] ? progress[route.route_id].done : 0;
        meta = '<span class="meta">' + (route.distance_m / 1000).toFixed(1) + " " + t("km") + " · " +
               route.load_items + " " + t("items") + " · " + (route.load_g / 1000).toFixed(1) + " kg · " +
               done + "/" + route.stops + " " + t("stops") + " " + t("done") + "</span>";
      }
      li.innerHTML = swatch + name + (route ? '<button type="button" class="pin-route"></button>' : "<span></span>") + meta;
      if (route) {
        var button = li.querySelector(".pin-route");
        button.textContent = route.pinned ? t("unpin_route") : t("pin_route");
        button.addEventListener("click", function () { pinRoute(route.route_id, !route.pinned); });
      }
      list.appendChild(li);
    });
  }

  function drawUnplanned(items) {
    layers.unplanned.clearLayers();
    var list = $("unplanned");
    list.innerHTML = "";
    $("unplanned-count").textContent = items.length;
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = item.at_risk ? "at-risk" : "";
      li.innerHTML = '<span class="s10">' + item.s10 + "</span> " + t(item.origin.kind) + " → " +
        t(item.destination.kind) + (item.mandatory ? " · " + t("mandatory") : (item.due_date ? " · " + t("due") + " " + item.due_date : ""));
      var home = item.origin.kind === "home" ? item.origin : item.destination;
      var marker = L.circleMarker([home.lat, home.lon], { radius: 5, color: item.at_risk ? "#b91c1c" : "#475569",
        weight: 2, fillColor: "#e2e8f0", fillOpacity: 0.9, className: "unplanned-item" }).addTo(layers.unplanned);
      marker.bindTooltip(item.s10);
      li.addEventListener("click", function () { map.setView([home.lat, home.lon], 15); });
      list.appendChild(li);
    });
  }

  function drawLive() {
    var live = state.live;
    layers.live.clearLayers();
    layers.exceptions.clearLayers();
    live.positions.forEach(function (p) {
      L.marker([p.lat, p.lon], { icon: L.divIcon({ className: "postman-marker", html: escapeHtml(p.username) }) })
        .bindTooltip(t("seen") + " " + localTime(p.at)).addTo(layers.live);
    });
    var changed = false;
    live.stops.forEach(function (s) {
      var known = state.stops[s.stop_id];
      if (known && (known.status !== s.status || known.pinned !== s.pinned)) { known.status = s.status; known.pinned = s.pinned; changed = true; }
    });
    if (changed) { drawRoutes(false); }
    var list = $("exceptions");
    list.innerHTML = "";
    $("exception-count").textContent = live.exceptions.length;
    live.exceptions.forEach(function (e) {
      var li = document.createElement("li");
      li.className = e.kind;
      li.innerHTML = t(e.kind) + ': <span class="s10">' + e.s10 + "</span> " + escapeHtml(e.detail.split(",").map(t).join(", ")) + " · " + localTime(e.at);
      if (e.lat !== null && e.lon !== null) {
        L.circleMarker([e.lat, e.lon], { radius: 12, color: e.kind === "geofence" ? "#b45309" : "#b91c1c",
          weight: 3, fill: false, className: "exception-ring exception-" + e.kind }).addTo(layers.exceptions);
        li.addEventListener("click", function () { map.setView([e.lat, e.lon], 16); });
      }
      list.appendChild(li);
    });
    drawPostmen();
    if (state.selected) { showStop(state.selected); }
    window.consoleState.liveUpdates += 1;
  }

  // ------------------------------------------------------------------ stops
  function selectStop(stopId) {
    state.selected = stopId;
    showStop(stopId);
  }
  function showStop(stopId) {
    var p = state.stops[stopId];
    if (!p) { $("stop-panel").hidden = true; state.selected = null; return; }
    $("stop-panel").hidden = false;
    $("stop-panel").dataset.stopId = stopId;
    var items = p.items.map(function (i) { return '<span class="s10">' + i.s10 + "</span> (" + t(i.action) + ")"; });
    $("stop-info").innerHTML = "<p>#" + (p.seq + 1) + " · " + t(p.place_kind) + " · " + t("status") + ": " +
      '<b id="stop-status">' + t(p.status) + "</b></p><p>" + t("window") + ": " + localTime(p.arrive_from) + "–" +
      localTime(p.arrive_to) + "</p><p>" + items.join(", ") + "</p>";
    var select = $("move-to");
    select.innerHTML = "";
    var routeOf = {};
    state.routes.geojson.features.forEach(function (f) {
      if (f.properties.kind === "route") { routeOf[f.properties.route_id] = f.properties.postman_id; }
    });
    state.postmen.forEach(function (pm) {
      if (pm.postman_id === routeOf[p.route_id]) { return; }
      var option = document.createElement("option");
      option.value = pm.postman_id;
      option.textContent = pm.full_name;
      select.appendChild(option);
    });
    $("pin-stop").textContent = p.pinned ? t("unpin") : t("pin");
  }
  function moveStop(stopId, postmanId) {
    window.consoleState.ready = false;
    return api("POST", "/api/v1/dispatch/stops/" + stopId + "/move", { to_postman_id: postmanId })
      .then(function () { say(t("moved"), "ok"); state.selected = null; $("stop-panel").hidden = true; return loadDay(); })
      .catch(fail);
  }
  $("move").addEventListener("click", function () { moveStop(state.selected, Number($("move-to").value)); });

  // Drag a pending stop onto another postman's route line to give it to that postman.
  var DROP_PX = 15;
  var drag = null;
  function startDrag(p, event) {
    if (p.status !== "pending") { return; }
    drag = { stop: p, from: event.containerPoint,
             ghost: L.circleMarker(event.latlng, { radius: 9, color: "#111827", dashArray: "3", className: "drag-ghost" }) };
    map.dragging.disable();
  }
  function routeNear(point, exceptRouteId) {
    var best = null;
    state.routes.geojson.features.forEach(function (f) {
      if (f.properties.kind !== "route" || f.properties.route_id === exceptRouteId) { return; }
      var pts = f.geometry.coordinates.map(function (c) { return map.latLngToContainerPoint([c[1], c[0]]); });
      for (var i = 1; i < pts.length; i++) {
        var d = L.LineUtil.pointToSegmentDistance(point, pts[i - 1], pts[i]);
        if (d <= DROP_PX && (!best || d < best.d)) { best = { d: d, route: f.properties }; }
      }
    });
    return best && best.route;
  }
  map.on("mousemove", function (event) {
    if (!drag) { return; }
    if (!map.hasLayer(drag.ghost)) { drag.ghost.addTo(map); }
    drag.ghost.setLatLng(event.latlng);
  });
  map.on("mouseup", function (event) {
    if (!drag) { return; }
    var d = drag;
    drag = null;
    d.ghost.remove();
    map.dragging.enable();
    if (event.containerPoint.distanceTo(d.from) < 10) { return; }  // a click, not a drag
    var target = routeNear(event.containerPoint, d.stop.route_id);
    if (target) { moveStop(d.stop.stop_id, target.postman_id); }
  });
  $("pin-stop").addEventListener("click", function () {
    var p = state.stops[state.selected];
    api("POST", "/api/v1/dispatch/stops/" + state.selected + "/pin", { pinned: !p.pinned })
      .then(function (out) { say(out.pinned ? t("pinned") : t("unpinned"), "ok"); return loadDay(); })
      .catch(fail);
  });
  function pinRoute(routeId, pinned) {
    api("POST", "/api/v1/dispatch/routes/" + routeId + "/pin", { pinned: pinned })
      .then(function (out) { say(out.pinned ? t("pinned") : t("unpinned"), "ok"); return loadDay(); })
      .catch(fail);
  }

  // ------------------------------------------------------------------ planning jobs
  function runJob(kind) {
    var limit = Number($("time-limit").value) || 20;
    $("plan").disabled = $("reoptimise").disabled = true;
    api("POST", dayPath("/" + kind), { time_limit_s: limit }).then(function (job) {
      $("job").hidden = false;
      $("job-progress").value = 0;
      $("job-text").textContent = t("queued");
      window.consoleState.lastJob = { task_id: job.task_id, state: "PENDING" };
      pollJob(job.task_id);
    }).catch(function (error) { fail(error); $("plan").disabled = $("reoptimise").disabled = false; });
  }
  function pollJob(taskId) {
    api("GET", "/api/v1/dispatch/offices/" + state.office + "/jobs/" + taskId).then(function (status) {
      window.consoleState.lastJob = status;
      $("job-progress").value = status.progress;
      if (status.state === "SUCCESS") {
        $("job-text").textContent = t("finished");
        $("plan").disabled = $("reoptimise").disabled = false;
        return loadDay();
      }
      if (status.state === "FAILURE") {
        $("job-text").textContent = t("failed");
        say(status.error, "err");
        $("plan").disabled = $("reoptimise").disabled = false;
        return;
      }
      $("job-text").textContent = status.state === "PROGRESS"
        ? t("running") + " " + (status.seconds || 0).toFixed(0) + " s" : t("queued");
      state.jobTimer = setTimeout(function () { pollJob(taskId); }, 700);
    }).catch(function (error) { fail(error); $("plan").disabled = $("reoptimise").disabled = false; });
  }
  $("plan").addEventListener("click", function () { runJob("plan"); });
  $("reoptimise").addEventListener("click", function () { runJob("reoptimise"); });

  // ------------------------------------------------------------------ urgent intake
  var urgentPlace = null;
  var urgentMarker = null;
  map.on("click", function (event) {
    if (!$("urgent").open) { return; }
    urgentPlace = event.latlng;
    $("urgent-where").textContent = urgentPlace.lat.toFixed(5) + ", " + urgentPlace.lng.toFixed(5);
    if (urgentMarker) { urgentMarker.remove(); }
    urgentMarker = L.circleMarker(urgentPlace, { radius: 7, color: "#b91c1c", className: "urgent-place" }).addTo(map);
  });
  function localInstant(hhmm) { return state.day + "T" + hhmm + ":00+07:00"; }
  $("urgent-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (!urgentPlace) { say(t("need_place"), "err"); return; }
    var f = event.target;
    var leg = { leg: f.leg.value, window_start: localInstant(f.from.value), window_end: localInstant(f.to.value) };
    var payload = {
      dossier_code: f.dossier_code.value, procedure_code: f.procedure_code.value, agency_code: f.agency_code.value,
      received_at: new Date().toISOString(), result_delivery: "home", legs: [leg],
      applicant: { full_name: f.full_name.value, phone: f.phone.value, address: f.address.value,
                   commune_code: f.commune_code.value, lat: urgentPlace.lat, lon: urgentPlace.lng }
    };
    if (f.counter_code.value) { payload.counter_code = f.counter_code.value; }
    api("POST", dayPath("/urgent"), payload).then(function (out) {
      say(t("urgent_added") + " (" + out.items.map(function (i) { return i.s10; }).join(", ") + ")", "ok");
      f.reset(); urgentPlace = null; $("urgent-where").textContent = "–"; $("urgent").open = false;
      if (urgentMarker) { urgentMarker.remove(); urgentMarker = null; }
      return loadDay();
    }).catch(fail);
  });

  // ------------------------------------------------------------------ loading
  var offices = [];
  function officeById(id) { return offices.filter(function (o) { return o.id === Number(id); })[0]; }

  function loadDay() {
    state.office = Number($("office").value);
    state.day = $("day").value;
    sessionStorage.setItem("console.office", state.office);
    sessionStorage.setItem("console.day", state.day);
    return Promise.all([api("GET", dayPath("/routes")), api("GET", dayPath("/unplanned"))]).then(function (answers) {
      state.routes = answers[0];
      state.postmen = answers[0].postmen;
      drawRoutes(true);
      drawUnplanned(answers[1]);
      drawPostmen();
      if (state.selected) { showStop(state.selected); }
      return pollLive();
    }).then(function () { window.consoleState.ready = true; }).catch(fail);
  }
  function pollLive() {
    if (!state.office) { return Promise.resolve(); }
    return api("GET", dayPath("/live")).then(function (live) { state.live = live; drawLive(); }).catch(fail);
  }

  $("day-form").addEventListener("submit", function (event) {
    event.preventDefault();
    state.selected = null;
    $("stop-panel").hidden = true;
    window.consoleState.ready = false;
    loadDay();
  });

  function start() {
    $("login").hidden = true;
    $("console").hidden = false; $("day-form").hidden = false; $("sign-out").hidden = false;
    $("who").textContent = sessionStorage.getItem("console.user") || "";
    map.invalidateSize();
    api("GET", "/api/v1/dispatch/offices").then(function (list) {
      offices = list;
      var select = $("office");
      select.innerHTML = "";
      list.forEach(function (o) {
        var option = document.createElement("option");
        option.value = o.id;
        option.textContent = o.code + " – " + o.name;
        select.appendChild(option);
      });
      var remembered = sessionStorage.getItem("console.office");
      if (remembered && officeById(remembered)) { select.value = remembered; }
      $("day").value = sessionStorage.getItem("console.day") || body.dataset.defaultDay;
      if (state.liveTimer) { clearInterval(state.liveTimer); }
      state.liveTimer = setInterval(pollLive, POLL_MS);
      return loadDay();
    }).catch(fail);
  }

  function escapeHtml(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  if (state.token) { start(); } else { signOut(); }
})();
