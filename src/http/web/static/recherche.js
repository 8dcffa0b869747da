// Catalogue search as you type, on the targets page. The page works
// without this script (the search is a plain form); with it, the products
// matching what is typed appear as the same choices, without a reload.
// Text from the catalogue is set with textContent: never markup.
(function () {
  "use strict";
  var field = document.getElementById("recherche");
  var subdomain = document.getElementById("sous_domaine_recherche");
  var form = document.getElementById("fixer-cible");
  var choices = document.getElementById("choix-produits");
  var hidden = document.getElementById("sous-domaine-cible");
  if (!field || !subdomain || !form || !choices || !hidden) return;
  var timer = null;
  var asked = 0;

  subdomain.addEventListener("change", function () {
    hidden.value = subdomain.value;
  });
  field.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 250);
  });

  function search() {
    var text = field.value.trim();
    if (text.length < 2) return;
    var ask = ++asked;
    fetch("/api/v1/catalogue/products?page_size=20&q=" + encodeURIComponent(text), { credentials: "same-origin" })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (page) {
        if (page && ask === asked) show(page.items || [], text);
      })
      .catch(function () { /* the plain form still works */ });
  }

  function show(items, text) {
    hidden.value = subdomain.value;
    while (choices.firstChild) choices.removeChild(choices.firstChild);
    var legend = document.createElement("legend");
    legend.textContent = "Produit cible pour " + subdomain.value + " (" + items.length + " résultat(s) pour « " + text + " »)";
    choices.appendChild(legend);
    items.forEach(function (item, i) {
      var line = document.createElement("p");
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "produit";
      input.id = "produit-" + item.id;
      input.value = String(item.id);
      input.checked = i === 0;
      var label = document.createElement("label");
      label.htmlFor = input.id;
      label.className = "en-ligne";
      label.textContent = item.name + " — " + item.vendor + " (n° " + item.id + ")";
      line.appendChild(input);
      line.appendChild(document.createTextNode(" "));
      line.appendChild(label);
      choices.appendChild(line);
    });
    form.hidden = items.length === 0;
  }
})();
