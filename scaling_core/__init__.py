"""scaling_core: the library behind *Scaling Laws, Replicated*.

The layout rule. Generic machinery, which two or more chapters use or a reader reuses, sits at the
top:

- `laws`: loss laws as frozen dataclasses with vectorised `loss`, and the published constants by
  name;
- `compute`: FLOP and parameter accounting (6ND and Kaplan's counts in `compute.rules`, Hoffmann's
  App. F count in `compute.layerwise`);
- `allocate`: compute-optimal and inference-aware allocation, closed form or numerical;
- `fit`: robust fitting (the Chinchilla fit, bootstrap, batched BFGS, Huber loss, IsoFLOP parabolas,
  power laws, likelihoods);
- `data`: the file registry, checksums and one loader per paper (imports no domain module);
- `scorecard`: replication claims by kind, with targets read from `data/<paper>/published.csv`;
- `plots`, `formatting`: one house style for figures and numbers;
- `stats`, `schedules`: statistical tests and learning-rate schedules, general tools a reader
  reuses;
- `cli`: the command line (`python -m scaling_core --help`).

Code that only one paper needs sits in `papers/`, one module per paper named after it
(`papers.gadre2024`: over-training law; `papers.sardana2024`: hardware cost model; `papers.tao2024`:
vocabulary law; `papers.tissue2024`: annealing law; `papers.luo2025`: the multi-power law with its
printed and logged constants, and the schedules of the released loss curves). Chapters compute; the
package holds what two chapters share or a reader may reuse.
"""

__version__ = "0.1.0"
