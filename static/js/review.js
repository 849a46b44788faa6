// A cell's comment button picks that cell in its table's comment form.
document.querySelectorAll("[data-comment-cell]").forEach((btn) => {
  btn.addEventListener("click", () => {
    const box = document.getElementById("comment-table-" + btn.dataset.table);
    box.open = true;
    box.querySelector("select").value = btn.dataset.commentCell;
    box.querySelector("textarea").focus();
  });
});
