// The workshop pages work without this script; it adds three things:
// it says when the phone is offline (and keeps a form on the page rather than
// sending it into the void), it keeps a double click from sending a form twice,
// and it keeps the projector live (Server-Sent Events from the workshop itself).
(function () {
  "use strict";
  var banner = document.getElementById("cc-offline");
  function showOnline() {
    if (banner) { banner.hidden = navigator.onLine; }
  }
  window.addEventListener("online", showOnline);
  window.addEventListener("offline", showOnline);
  showOnline();

  function formStatus(form) {
    return form.querySelector(".cc-form-status");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") { return; }
    if (form.classList.contains("cc-download")) { return; }
    var status = formStatus(form);
    if (!navigator.onLine) {
      event.preventDefault();
      if (status) { status.textContent = banner ? banner.textContent : ""; }
      showOnline();
      return;
    }
    if (form.dataset.sent === "yes") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "yes";
    // A page restored from the back/forward cache may be sent again.
    window.addEventListener("pageshow", function () { form.dataset.sent = ""; }, { once: true });
  });

  // The proposed-field inputs matter only when "Propose a new field" is chosen.
  var field = document.getElementById("field");
  var extra = document.querySelector(".cc-new-field");
  if (field && extra) {
    var update = function () {
      extra.hidden = field.value !== extra.getAttribute("data-shows-for") &&
        !extra.querySelector("[aria-invalid]");
    };
    field.addEventListener("change", update);
    update();
  }

  var live = document.getElementById("cc-live");
  if (live && window.EventSource) {
    var source = new EventSource(live.getAttribute("data-live"));
    source.addEventListener("update", function (event) {
      live.innerHTML = event.data;  // HTML rendered (and escaped) by the workshop
    });
  }
})();
