"""``torch._dynamo.exc``: the errors ``torch.compile`` raises."""


class TorchDynamoException(RuntimeError):
    pass


class Unsupported(TorchDynamoException):
    """What ``fullgraph=True`` raises where the recording would break."""


class InvalidBackend(TorchDynamoException):
    pass
