// The import page: upload the file (check or import), show the per-row report, and
// offer it as a CSV download built from the same rows.
(function () {
  "use strict";
  const api = window.consoleApi;
  const vi = window.REPORT_LANG !== "en";
  const STATUS = vi ? { created: "Đã nhập", unchanged: "Đã có, không đổi", valid: "Hợp lệ", error: "Lỗi" }
                    : { created: "Imported", unchanged: "Already there, unchanged", valid: "Valid", error: "Error" };
  let lastRows = [];

  function show(rows) {
    lastRows = rows;
    document.getElementById("import-report").hidden = false;
    const body = document.querySelector("#table-import tbody");
    body.innerHTML = "";
    for (const r of rows) {
      const tr = body.insertRow();
      tr.dataset.status = r.status;
      for (const v of [r.line, r.dossier_code, r.leg, STATUS[r.status] || r.status,
                       r.errors.map((e) => `${e.code}: ${e.message}`).join(" · ")]) tr.insertCell().textContent = v;
      if (r.status === "error") tr.className = "late";
    }
  }
  function csvCell(v) { const s = String(v ?? ""); return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; }

  function start() {
    document.getElementById("imports").hidden = false;
    const form = document.getElementById("import-form");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const action = ev.submitter ? ev.submitter.value : "import";
      const data = new FormData();
      data.append("file", form.file.files[0]);
      const q = new URLSearchParams({ mode: form.valid_only.checked ? "valid_only" : "all", dry_run: action === "check" });
      const msg = document.getElementById("import-msg");
      msg.innerHTML = '<div class="msg"></div>';
      const box = msg.firstChild;
      const r = await api.call("/api/v1/imports/dossiers?" + q, { method: "POST", body: data });
      const body = await r.json();
      if (body.rows) show(body.rows);
      const c = body.counts || {};
      if (r.ok) {
        box.className = "msg ok";
        box.textContent = body.dry_run
          ? (vi ? `Kiểm tra xong: ${c.valid} dòng hợp lệ, ${c.unchanged} dòng đã có, ${c.error} dòng lỗi.`
                : `Checked: ${c.valid} valid rows, ${c.unchanged} already there, ${c.error} refused.`)
          : (vi ? `Đã nhập ${c.created} dòng; ${c.unchanged} dòng đã có; ${c.error} dòng lỗi.`
                : `Imported ${c.created} rows; ${c.unchanged} already there; ${c.error} refused.`);
      } else {
        box.className = "msg err";
        box.textContent = body.error === "import_refused"
          ? (vi ? `${c.error} dòng bị từ chối; chưa ghi gì. Sửa các dòng lỗi hoặc chọn "Chỉ nhập các hồ sơ hợp lệ".`
                : body.detail)
          : body.detail || body.error;
      }
      window.importDone = true;
    });
    document.getElementById("download-report").addEventListener("click", () => {
      const lines = [["line", "dossier_code", "leg", "status", "column", "code", "message"].join(",")];
      for (const r of lastRows) {
        const errors = r.errors.length ? r.errors : [{ column: "", code: "", message: "" }];
        for (const e of errors) lines.push([r.line, r.dossier_code, r.leg, r.status, e.column, e.code, e.message].map(csvCell).join(","));
      }
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob(["\ufeff" + lines.join("\n") + "\n"], { type: "text/csv" }));
      a.download = "bao-cao-nhap-ho-so.csv";
      document.body.appendChild(a); a.click(); a.remove();
    });
  }
  api.guard(start);
})();
