"""An LSTM sequence classifier: embedding, LSTM, linear head, a few steps with clipping."""

import torch
import torch.nn as nn

torch.manual_seed(11)


class SequenceModel(nn.Module):
    def __init__(self, vocab, embed, hidden, classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, tokens):
        emb = self.embedding(tokens)
        output, (h, c) = self.lstm(emb)
        return self.head(output[:, -1]), output, h, c


model = SequenceModel(vocab=20, embed=6, hidden=8, classes=3)
print(model)
for name, p in model.lstm.named_parameters():
    print(name, tuple(p.shape))

tokens = torch.randint(0, 20, (4, 7))
targets = torch.tensor([0, 2, 1, 2])
print("tokens:", tokens)

logits, output, h, c = model(tokens)
print("output:", output.shape, "h:", h.shape, "c:", c.shape)
print("last step equals h[-1]:", torch.allclose(output[:, -1], h[-1]))
print("logits:", logits)

optimizer = torch.optim.RMSprop(model.parameters(), lr=0.01)
criterion = nn.CrossEntropyLoss()
for step in range(5):
    optimizer.zero_grad()
    logits = model(tokens)[0]
    loss = criterion(logits, targets)
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
    print(f"step {step}: loss {loss.item():.5f} grad norm {norm.item():.5f}")

print("embedding grad rows used:", (model.embedding.weight.grad.abs().sum(1) > 0).sum())
print("weight_hh_l1 grad:", model.lstm.weight_hh_l1.grad[:2, :4])

cell = nn.LSTMCell(6, 8)
hx, cx = torch.zeros(2, 8), torch.zeros(2, 8)
seq = torch.randn(3, 2, 6)
for t in range(3):
    hx, cx = cell(seq[t], (hx, cx))
print("cell h:", hx)

gru = nn.GRU(6, 5, bidirectional=True)
out, hn = gru(seq)
print("gru:", out.shape, hn.shape)
print("gru out[-1]:", out[-1])
