// The print view's "print" link opens the browser's print dialog.
document.querySelectorAll("[data-print]").forEach(function (a) {
  a.addEventListener("click", function (e) { e.preventDefault(); window.print(); });
});
