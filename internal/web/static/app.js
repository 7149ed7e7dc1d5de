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

// Show how far a file upload has got, then that the server is working on it.
// Forms that upload files name that work in data-upload-progress. Without
// this script the browser sends the form as usual.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var work = form && form.getAttribute && form.getAttribute("data-upload-progress");
  if (event.defaultPrevented || !work || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  event.preventDefault();
  var status = form.querySelector(".upload-progress");
  if (!status) {
    status = document.createElement("p");
    status.className = "upload-progress";
    status.setAttribute("role", "status");
    form.appendChild(status);
  }
  var bar = document.createElement("progress");
  bar.max = 100;
  bar.value = 0;
  var words = document.createElement("span");
  words.textContent = " Uploading…";
  status.textContent = "";
  status.appendChild(bar);
  status.appendChild(words);
  var buttons = form.querySelectorAll("button");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].disabled = true;
  }
  var xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.upload.addEventListener("progress", function (e) {
    if (e.lengthComputable) {
      var done = Math.floor((e.loaded * 100) / e.total);
      bar.value = done;
      words.textContent = " Uploading: " + done + "%";
    }
  });
  xhr.upload.addEventListener("load", function () {
    bar.removeAttribute("value");
    words.textContent = " Uploaded; " + work + "…";
  });
  xhr.addEventListener("load", function () {
    // The answer is a whole page: the one a success leads to, with its
    // notice, or the form with its errors. Show it where it would have been.
    if (xhr.status < 400 && xhr.responseURL && xhr.responseURL !== form.action) {
      window.history.replaceState(null, "", xhr.responseURL);
    }
    document.open();
    document.write(xhr.responseText);
    document.close();
  });
  xhr.addEventListener("error", function () {
    form.submit();
  });
  var data = new FormData(form);
  if (event.submitter && event.submitter.name) {
    data.append(event.submitter.name, event.submitter.value);
  }
  xhr.send(data);
});
