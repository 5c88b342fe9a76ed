"""x-transformers: a tiny decoder-only TransformerWrapper: logits, loss, backward, sampling."""

import torch
from x_transformers import AutoregressiveWrapper, Decoder, TransformerWrapper

torch.manual_seed(0)
model = TransformerWrapper(
    num_tokens=20, max_seq_len=16, attn_layers=Decoder(dim=16, depth=2, heads=2)
)
print("parameters", sum(p.numel() for p in model.parameters()))
x = torch.randint(0, 20, (2, 8))
logits = model(x)
print("logits", logits.shape, logits[0, 0, :4])
wrapper = AutoregressiveWrapper(model)
loss = wrapper(x)
loss.backward()
print("loss", loss)
print("grad norm", torch.stack([p.grad.norm() for p in model.parameters()]).norm())
model.eval()
print("generated", wrapper.generate(x[:, :3], 5, temperature=0.0))
