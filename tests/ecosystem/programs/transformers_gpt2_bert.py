"""transformers: tiny GPT-2 and BERT built from a config (nothing downloaded): forward, loss,
backward and greedy generate."""

import torch
from transformers import BertConfig, BertForMaskedLM, GPT2Config, GPT2LMHeadModel

torch.manual_seed(0)
gpt = GPT2LMHeadModel(GPT2Config(vocab_size=50, n_positions=32, n_embd=16, n_layer=2, n_head=2))
ids = torch.randint(0, 50, (2, 8))
out = gpt(ids, labels=ids)
out.loss.backward()
print("gpt2 loss", out.loss)
print("gpt2 logits", out.logits.shape, out.logits[0, 0, :4])
print("gpt2 grad", gpt.transformer.wte.weight.grad.norm())
gpt.eval()
print("gpt2 generate", gpt.generate(ids[:, :3], max_new_tokens=5, do_sample=False, pad_token_id=0))

config = BertConfig(
    vocab_size=50,
    hidden_size=16,
    num_hidden_layers=2,
    num_attention_heads=2,
    intermediate_size=32,
    max_position_embeddings=32,
)
bert = BertForMaskedLM(config)
mask = torch.ones(2, 8, dtype=torch.long)
mask[1, 6:] = 0
out = bert(ids, attention_mask=mask, labels=ids)
out.loss.backward()
print("bert loss", out.loss)
print("bert logits", out.logits.shape, out.logits[1, -1, :4])
print("bert grad", bert.bert.embeddings.word_embeddings.weight.grad.norm())
