// A tap on a chart selects what it points at, as a click does (issue 20 item 7). plotly selects on click
// from its hover data, and a touch screen hovers only on a tap: the first tap showed a tooltip and the
// second one selected. So a one-finger touch on a chart's drag layer first hovers there (a mousemove
// at the touch point), then plotly's own tap-click selects. Installed once per page (st.html, our file).
(() => {
  if (window.__vaeTapSelects) return;
  window.__vaeTapSelects = true;
  document.addEventListener("touchstart", (e) => {
    if (e.touches.length !== 1 || !e.target.closest) return;
    const drag = e.target.closest(".js-plotly-plot .nsewdrag");
    if (!drag) return;
    const t = e.touches[0];
    drag.dispatchEvent(new MouseEvent("mousemove", { clientX: t.clientX, clientY: t.clientY, bubbles: true, view: window }));
  }, { capture: true, passive: true });
})();
