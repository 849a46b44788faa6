// Asks before submitting a form marked data-confirm="question" (CSP forbids
// inline onsubmit handlers).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.dataset ? form.dataset.confirm : null;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);
