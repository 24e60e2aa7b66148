"""The risk engine: features, rules, watch-list matching, the learned model, selection and
explanation over polars frames. Pure Python: nothing here imports Django."""
