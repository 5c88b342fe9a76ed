"""Optimising inputs instead of weights: an FGSM adversarial example against a frozen
classifier, and a Gram-matrix style loss minimised over an image with Adam."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(37)
classifier = nn.Sequential(
    nn.Conv2d(1, 4, 3, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(4),
    nn.Flatten(),
    nn.Linear(64, 3),
)
classifier.eval()
classifier.requires_grad_(False)

image = torch.rand(1, 1, 8, 8)
label = classifier(image).argmax(1)
print("clean prediction:", label.item(), F.softmax(classifier(image), 1))

x = image.clone().requires_grad_(True)
loss = F.cross_entropy(classifier(x), label)
loss.backward()
print("input grad norm:", x.grad.norm().item(), "weights have grad:", classifier[0].weight.grad)
for eps in (0.0, 0.05, 0.2, 0.5):
    adv = (image + eps * x.grad.sign()).clamp(0, 1)
    probs = F.softmax(classifier(adv), 1)
    print(f"eps {eps:.2f}: prediction {probs.argmax().item()} confidence {probs.max().item():.4f}")


def gram(feat):
    b, c, h, w = feat.shape
    f = feat.view(b, c, h * w)
    return f @ f.transpose(1, 2) / (c * h * w)


features = classifier[:2]
style = torch.rand(1, 1, 8, 8)
target_gram = gram(features(style))
canvas = (0.4 + 0.2 * torch.rand(1, 1, 8, 8)).requires_grad_(True)
opt = torch.optim.Adam([canvas], lr=0.05)
for step in range(30):
    opt.zero_grad()
    style_loss = F.mse_loss(gram(features(canvas)), target_gram)
    # Squared differences: abs() would make the result hinge on the sign of rounding noise
    # wherever neighbouring pixels tie.
    tv = (canvas[..., 1:, :] - canvas[..., :-1, :]).pow(2).mean() + (
        canvas[..., 1:] - canvas[..., :-1]
    ).pow(2).mean()
    total = style_loss * 1e3 + 0.01 * tv
    total.backward()
    opt.step()
    with torch.no_grad():
        canvas.clamp_(0, 1)
    if step % 10 == 0:
        print(f"step {step:2d} style {style_loss.item():.6f} tv {tv.item():.4f}")
print("canvas row:", canvas[0, 0, 0].detach())
print("gram:", gram(features(canvas)).squeeze(0).detach())
