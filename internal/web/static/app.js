// aims: progressive enhancement only. Every page works without this file.
"use strict";

// Let the stylesheet know that scripts run.
document.documentElement.classList.add("js");

// Ask before destructive actions; forms carry the question in data-confirm.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Select a freshly shown secret so that it is easy to copy.
document.addEventListener("DOMContentLoaded", function () {
  var secret = document.querySelector("input.secret");
  if (secret) {
    secret.addEventListener("focus", function () { secret.select(); });
  }
});
