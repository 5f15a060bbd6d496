// Ask before a form with data-confirm is sent (cancelling a meeting cannot be undone).
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
