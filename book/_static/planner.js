/* The training-run planner (book/planner.md): every law's compute-optimal model, and the inference-aware
   one, for the reader's budget or target loss. It computes only from window.PLANNER_DATA, which the book's
   library writes at build time (book/_ext/planner_data.py); the formulas are those of scaling_core:
   ChinchillaLaw.compute_optimal, allocate.compute_optimal_for_loss, allocate.inference_optimal and
   planner.budget_table. No dependencies, no network. */
(function () {
  "use strict";
  var DATA = window.PLANNER_DATA;
  var ROOT = new URL("../", document.currentScript.src); // the site's root: this file is in _static/
  var NEWTON_STEPS = 100;
  var EPS = 2.220446049250313e-16;

  // ---- the library's closed forms ----------------------------------------------------------------
  function exponents(law) {
    var s = law.alpha + law.beta;
    return { a: law.beta / s, b: law.alpha / s, G: Math.pow((law.alpha * law.A) / (law.beta * law.B), 1 / s) };
  }
  function computeOptimal(law, C) {
    if (law.G !== undefined) { var N0 = law.G * Math.pow(C, law.a); return [N0, C / (6 * N0)]; } // a rule
    var e = exponents(law);
    return [e.G * Math.pow(C / 6, e.a), Math.pow(C / 6, e.b) / e.G];
  }
  function lossOf(law, N, D) {
    return law.E + law.A * Math.pow(N, -law.alpha) + law.B * Math.pow(D, -law.beta);
  }
  function computeOptimalForLoss(law, loss) {
    var r = loss - law.E;
    return [Math.pow((law.A * (1 + law.alpha / law.beta)) / r, 1 / law.alpha),
            Math.pow((law.B * (1 + law.beta / law.alpha)) / r, 1 / law.beta)];
  }
  function inferenceOptimal(law, loss, T) {
    var alpha = law.alpha, beta = law.beta, B = law.B, r = loss - law.E;
    var dataWeight = (1 + beta / alpha) * B, demandWeight = (beta * B * T) / (3 * alpha);
    var x = Math.max(Math.log(dataWeight / r) / beta, Math.log(Math.max(demandWeight, 1e-300) / r) / (1 + beta));
    for (var i = 0; i < NEWTON_STEPS; i++) {
      var first = dataWeight * Math.exp(-beta * x), second = demandWeight * Math.exp(-(1 + beta) * x);
      var value = first + second - r;
      if (value <= 16 * EPS * r * Math.max(Math.abs(x), 1)) break;
      x += Math.max(value / (beta * first + (1 + beta) * second), 0);
    }
    var D = Math.exp(x);
    var paramsTerm = (beta / alpha) * B * Math.pow(D, -beta) * (1 + T / (3 * D));
    return [Math.pow(law.A / paramsTerm, 1 / alpha), D];
  }
  // numpy's default ("linear") quantile of the finite values
  function quantile(values, q) {
    var v = values.filter(function (x) { return isFinite(x); }).sort(function (p, r) { return p - r; });
    var pos = q * (v.length - 1), lo = Math.floor(pos), t = pos - lo;
    if (lo + 1 >= v.length) return v[v.length - 1];
    return t >= 0.5 ? v[lo + 1] - (v[lo + 1] - v[lo]) * (1 - t) : v[lo] + (v[lo + 1] - v[lo]) * t;
  }
  function drawIntervals(boot, C) {
    var logC = Math.log(C / 6), out = { params: [], tokens: [], tokens_per_param: [], loss: [] };
    boot.theta.forEach(function (d) {
      var logA = d[0], logB = d[1], logE = d[2], alpha = d[3], beta = d[4];
      var ok = d.every(function (x) { return isFinite(x); }) && alpha > 0 && beta > 0;
      if (!ok) return;
      var logG = (Math.log(alpha) + logA - Math.log(beta) - logB) / (alpha + beta);
      var logN = logG + (beta / (alpha + beta)) * logC, logD = (alpha / (alpha + beta)) * logC - logG;
      out.params.push(Math.exp(logN));
      out.tokens.push(Math.exp(logD));
      out.tokens_per_param.push(Math.exp(logD - logN));
      out.loss.push(Math.exp(logE) + Math.exp(logA - alpha * logN) + Math.exp(logB - beta * logD));
    });
    var tail = (1 - boot.level) / 2, bounds = {};
    Object.keys(out).forEach(function (k) { bounds[k] = [quantile(out[k], tail), quantile(out[k], 1 - tail)]; });
    return bounds;
  }

  // ---- number style of the book (scaling_core.formatting) -----------------------------------------
  var SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
  function scientific(x, digits) {
    var parts = x.toExponential(Math.max(digits, 2) - 1).split("e");
    var exp = String(parseInt(parts[1], 10)).split("").map(function (c) { return SUPERSCRIPT[c]; }).join("");
    return parts[0] + "×10" + exp;
  }
  function count(x) {
    var scales = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]];
    for (var i = 0; i < scales.length; i++) {
      if (x >= scales[i][0] && x < 1000 * scales[i][0]) return Number((x / scales[i][0]).toPrecision(3)) + " " + scales[i][1];
    }
    return x >= 1e15 ? scientific(x, 3) : String(Number(x.toPrecision(3)));
  }
  function flops(x) { return scientific(x, 2) + " FLOP"; }
  function plain(x) { return String(Number(x.toPrecision(4))); }

  // ---- the form ----------------------------------------------------------------------------------
  var NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  function field(id) { return document.getElementById(id); }
  function setError(id, message) {
    var input = field(id), note = field(id + "-error");
    note.textContent = message || "";
    if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    return !message;
  }
  function readNumber(id, what, options) {
    var text = field(id).value.trim().replace(/×10\^?/, "e").replace(/,/g, "");
    if (text === "") return options.optional ? { value: options.empty } : { error: what + " is required, e.g. " + options.example };
    if (!NUMBER.test(text)) return { error: "“" + field(id).value.trim() + "” is not a number; write it like " + options.example };
    var value = Number(text);
    if (!isFinite(value)) return { error: what + " is too large to compute with" };
    if (options.zero ? value < 0 : value <= 0) return { error: what + " must be " + (options.zero ? "zero or more" : "greater than zero") + ", got " + text };
    return { value: value };
  }
  function lawByName(name) {
    return DATA.laws.filter(function (l) { return l.name === name; })[0];
  }
  function chapterLink(entry) {
    var title = document.createTextNode(entry.title);
    if (!entry.chapter) return title;
    var a = document.createElement("a");
    a.href = new URL(entry.chapter + ".html", ROOT).href;
    a.appendChild(title);
    return a;
  }
  function cell(fieldName, value, text) {
    var td = document.createElement("td");
    td.setAttribute("data-field", fieldName);
    if (value !== null) td.setAttribute("data-value", String(value));
    td.textContent = text;
    return td;
  }
  function interval(td, name, bounds, format) {
    var small = document.createElement("span");
    small.className = "planner-interval";
    ["low", "high"].forEach(function (side, i) {
      var span = document.createElement("span");
      span.setAttribute("data-field", name + "_" + side);
      span.setAttribute("data-value", String(bounds[i]));
      span.textContent = format(bounds[i]);
      if (i === 0) small.appendChild(document.createTextNode("80 %: "));
      small.appendChild(span);
      if (i === 0) small.appendChild(document.createTextNode(" – "));
    });
    td.appendChild(small);
  }

  function newTable(heads) {
    var table = document.createElement("table");
    table.className = "planner-table";
    var head = table.createTHead().insertRow();
    heads.forEach(function (h) { var th = document.createElement("th"); th.textContent = h; head.appendChild(th); });
    table.createTBody();
    return table;
  }
  function lawRow(table, law, chosen) {
    var row = table.tBodies[0].insertRow();
    row.setAttribute("data-law", law.name);
    if (law.name === chosen.name) row.className = "planner-chosen";
    var th = document.createElement("th");
    th.setAttribute("scope", "row");
    th.appendChild(chapterLink(law));
    var code = document.createElement("code");
    code.textContent = law.name;
    th.appendChild(code);
    row.appendChild(th);
    return row;
  }
  function note(row, table, text) {
    var td = cell("note", null, text);
    td.colSpan = table.tHead.rows[0].cells.length - 1;
    row.appendChild(td);
  }
  function scrolling(table) {
    var wrap = document.createElement("div");
    wrap.className = "planner-scroll";
    wrap.appendChild(table);
    return wrap;
  }

  function render() {
    var results = field("planner-results"), status = field("planner-status");
    var usesLoss = field("planner-loss").value.trim() !== "";
    var budget = usesLoss ? { value: null } : readNumber("planner-flops", "The compute", { example: "1e24" });
    var target = readNumber("planner-loss", "The target loss", { optional: true, empty: null, example: "2.0" });
    var demand = readNumber("planner-inference-tokens", "The inference load", { optional: true, empty: 0, zero: true, example: "1e12" });
    var chosen = lawByName(field("planner-law").value);
    if (target.value !== null && target.value !== undefined && target.value <= chosen.E) {
      target = { error: "No model reaches a loss at or below " + chosen.name + "’s irreducible loss E = " + plain(chosen.E) + "; choose a larger loss" };
    }
    var ok = [setError("planner-flops", budget.error), setError("planner-loss", target.error),
              setError("planner-inference-tokens", demand.error)].every(Boolean);
    results.textContent = "";
    if (!ok) {
      status.textContent = "Correct the field marked above to see the plan.";
      field("planner-cli").textContent = "";
      return;
    }
    var C = budget.value, loss = target.value, T = demand.value;
    status.textContent = usesLoss
      ? "The cheapest model of each law that reaches a loss of " + plain(loss) + (T > 0 ? ", and the inference-aware one for " + count(T) + " tokens served." : ".")
      : "The compute-optimal model of each law at " + flops(C) + (T > 0 ? ", and the inference-aware model of the same loss for " + count(T) + " tokens served." : ".");
    var main = newTable(["law", "parameters N", "tokens D", "tokens per parameter", "loss"].concat(usesLoss ? ["training compute"] : []));
    var aware = newTable(["law", "parameters N", "tokens D", "tokens per parameter", "lifetime FLOP", "saved against the compute-optimal model"]);
    DATA.laws.concat(DATA.rules).forEach(function (law) {
      var isRule = law.G !== undefined, row = lawRow(main, law, chosen);
      if (usesLoss && (isRule || loss <= law.E)) {
        note(row, main, isRule ? "a rule of thumb has no loss law: give a budget instead"
          : "out of reach: this law's irreducible loss is E = " + plain(law.E));
        return;
      }
      var NC = usesLoss ? computeOptimalForLoss(law, loss) : computeOptimal(law, C);
      var N = NC[0], D = NC[1];
      var ownLoss = isRule ? null : usesLoss ? loss : lossOf(law, N, D);
      var tdN = row.appendChild(cell("params", N, count(N)));
      var tdD = row.appendChild(cell("tokens", D, count(D)));
      var tdR = row.appendChild(cell("tokens_per_param", D / N, plain(D / N)));
      var tdL = row.appendChild(cell("loss", ownLoss, isRule ? "—" : plain(ownLoss)));
      if (!usesLoss && DATA.bootstrap.law === law.name) {
        var bounds = drawIntervals(DATA.bootstrap, C);
        interval(tdN, "params", bounds.params, count);
        interval(tdD, "tokens", bounds.tokens, count);
        interval(tdR, "tokens_per_param", bounds.tokens_per_param, plain);
        interval(tdL, "loss", bounds.loss, plain);
      }
      if (usesLoss) row.appendChild(cell("flops", 6 * N * D, flops(6 * N * D)));
      if (T > 0 && !isRule) {
        var inf = inferenceOptimal(law, ownLoss, T), Ni = inf[0], Di = inf[1];
        var cost = 6 * Ni * Di + 2 * Ni * T, reference = 6 * N * D + 2 * N * T;
        var awareRow = lawRow(aware, law, chosen);
        awareRow.appendChild(cell("inference_params", Ni, count(Ni)));
        awareRow.appendChild(cell("inference_train_tokens", Di, count(Di)));
        awareRow.appendChild(cell("inference_tokens_per_param", Di / Ni, plain(Di / Ni)));
        awareRow.appendChild(cell("total_flops", cost, flops(cost)));
        awareRow.appendChild(cell("flops_saved", 1 - cost / reference, (100 * (1 - cost / reference)).toFixed(1) + " %"));
      }
    });
    results.appendChild(scrolling(main));
    if (T > 0) {
      var caption = document.createElement("p");
      caption.className = "planner-caption";
      caption.textContent = "Inference-aware: the model of the same loss with the fewest lifetime FLOP (training 6ND plus 2N per token served); the rules of thumb have no loss law and no such optimum.";
      results.appendChild(caption);
      results.appendChild(scrolling(aware));
    }
    var lossArg = usesLoss ? loss : lossOf(chosen, computeOptimal(chosen, C)[0], computeOptimal(chosen, C)[1]);
    var lines = usesLoss ? [] : ["python -m scaling_core optimal --flops " + C + " --law " + chosen.name];
    if (usesLoss || T > 0) {
      lines.push("python -m scaling_core inference-optimal --loss " + lossArg + " --inference-tokens " + T + " --law " + chosen.name);
    }
    field("planner-cli").textContent = lines.join("\n");
  }

  function start() {
    var select = field("planner-law");
    DATA.laws.forEach(function (law) {
      var option = document.createElement("option");
      option.value = law.name;
      option.textContent = law.name + " — " + law.title;
      if (law.name === DATA.default_law) option.selected = true;
      select.appendChild(option);
    });
    ["planner-flops", "planner-loss", "planner-inference-tokens", "planner-law"].forEach(function (id) {
      field(id).addEventListener("input", render);
      field(id).addEventListener("change", render);
    });
    field("planner").addEventListener("submit", function (event) { event.preventDefault(); render(); });
    render();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
