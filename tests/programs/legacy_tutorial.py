"""The 2017-era tutorial style: Variables, typed tensor constructors, manual weight updates."""

import torch
from torch.autograd import Variable

torch.manual_seed(4)
dtype = torch.FloatTensor

N, D_in, H, D_out = 16, 10, 20, 3
x = Variable(torch.randn(N, D_in).type(dtype), requires_grad=False)
y = Variable(torch.randn(N, D_out).type(dtype), requires_grad=False)
w1 = Variable(torch.randn(D_in, H).type(dtype), requires_grad=True)
w2 = Variable(torch.randn(H, D_out).type(dtype), requires_grad=True)
print(type(x).__name__, x.type(), w1.requires_grad, x.requires_grad)

learning_rate = 1e-4
for t in range(50):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 10 == 0:
        print(t, loss.data.item())
    loss.backward()
    w1.data -= learning_rate * w1.grad.data
    w2.data -= learning_rate * w2.grad.data
    w1.grad.data.zero_()
    w2.grad.data.zero_()
print("final loss:", loss.item())
print("w2[:2]:", w2.data[:2])

labels = torch.LongTensor([0, 2, 1])
print(labels, labels.type(), labels.dtype)
mask = torch.ByteTensor([1, 0, 1])
print(mask, mask.dtype)
d = torch.DoubleTensor(2, 3).zero_()
print(d, d.type())
f = torch.Tensor([[1, 2], [3, 4]])
print(f, f.type(), f.size(), f.size(1))
print(f.type(torch.LongTensor), f.long().type(), f.int().type(), f.double().type())
print(torch.IntTensor([1, 2]).float() / 2)
print(isinstance(f, torch.FloatTensor), isinstance(f, torch.Tensor), torch.is_tensor(f))
print(torch.from_numpy(f.numpy() * 2), f.numpy().dtype)
print(f.view(-1), f.view(4, 1).size(), f.t().contiguous().view(-1))
print(f.add_(1), f.mul(2).sub(1).div(3))
print(f.unsqueeze(0).expand(3, 2, 2).size(), f.repeat(2, 1).size(), f.squeeze().dim())
print(torch.zeros(3).fill_(7), torch.ones(2, 2).new_zeros(3), torch.tensor(2.5).item())
print(f.max(1)[1], f.max(1)[0], f.sum(0).data, f.mean().data)
