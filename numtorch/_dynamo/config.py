"""``torch._dynamo.config``: the settings numtorch's compiler reads."""

# recordings per compiled function before it runs eagerly for new guards (PyTorch's default)
cache_size_limit = 8
recompile_limit = 8
