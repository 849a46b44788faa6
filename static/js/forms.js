// Small form behaviours the CSP forbids as inline handlers:
// - data-confirm="question" on a form asks before submitting it;
// - data-autosubmit on a field submits its form when the field changes.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.dataset ? form.dataset.confirm : null;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);

document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.dataset && "autosubmit" in field.dataset && field.form) {
    field.form.requestSubmit();
  }
});
