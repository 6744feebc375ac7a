"""models.tracking: every layer, one deep or two, gives one label per step, causally (a
step's label does not depend on later tokens), masks ignored targets out of the loss,
learns a tiny task, and rejects bad input by name."""

import pytest
import torch

from rnncourse.models import tracking
from rnncourse.models.seeding import seeded


@pytest.mark.parametrize("depth, shift", [(1, False), (2, False), (1, True)])
@pytest.mark.parametrize("kind", tracking.LAYERS)
def test_labels_every_step_causally_and_ignores_masked_targets(kind, depth, shift):
    with seeded(0):
        m = tracking.StepTagger(kind, V=5, C=3, E=4, H=6, M=5, depth=depth,
                                shift=shift).double()
    assert len(m.more) == depth - 1
    g = torch.Generator().manual_seed(1)
    x = torch.randint(0, 5, (3, 12), generator=g)
    logits, _ = m(x)
    assert logits.shape == (3, 12, 3)
    later = x.clone()
    later[:, 7:] = (later[:, 7:] + 1) % 5                               # change the future
    changed, _ = m(later)
    assert torch.allclose(changed[:, :7], logits[:, :7], atol=1e-12)
    assert not torch.allclose(changed[:, 7:], logits[:, 7:])
    y = torch.randint(0, 3, (3, 12), generator=g)
    masked = y.clone()
    masked[:, :4] = tracking.IGNORE
    want = torch.nn.functional.cross_entropy(logits[:, 4:].reshape(-1, 3), y[:, 4:].reshape(-1))
    assert torch.allclose(m(x, masked)[1], want, atol=1e-12)
    assert not torch.allclose(m(x, y)[1], want)


def test_a_short_run_learns_to_copy_the_current_token():
    from rnncourse.models.train import fit

    g = torch.Generator().manual_seed(2)
    with seeded(0):
        m = tracking.StepTagger("linear-signed", V=4, C=4, E=8, H=8, M=16)

        def batch(i):
            x = torch.randint(0, 4, (16, 10), generator=g)
            return x, x
        before = float(m(*batch(0))[1].detach())
        fit(m, batch, 150, lr=1e-2)
    x = torch.randint(0, 4, (64, 10), generator=g)
    assert (m(x)[0].argmax(-1) == x).float().mean() > 0.95 and before > 1.0


def test_the_shift_adds_a_map_of_the_previous_token_only():
    with seeded(0):
        m = tracking.StepTagger("gru", V=4, C=2, E=4, H=4, M=4, shift=True).double()
        plain = tracking.StepTagger("gru", V=4, C=2, E=4, H=4, M=4).double()
    x = torch.randint(0, 4, (3, 6), generator=torch.Generator().manual_seed(3))
    plain.load_state_dict({k: v for k, v in m.state_dict().items() if not k.startswith("shift")})
    with torch.no_grad():
        m.shift.weight.zero_()
    assert torch.allclose(m(x)[0], plain(x)[0], atol=1e-12)       # a zero map: no shift
    with torch.no_grad():
        m.shift.weight.fill_(0.5)
    moved = m(x)[0]
    assert torch.allclose(moved[:, 0], plain(x)[0][:, 0], atol=1e-12)  # nothing before step 1
    assert not torch.allclose(moved[:, 1:], plain(x)[0][:, 1:])


def test_errors_name_the_argument():
    with seeded(0):
        m = tracking.StepTagger("gru", V=3, C=2)
    with pytest.raises(ValueError, match="`depth` must be a positive int"):
        tracking.StepTagger("gru", V=3, C=2, depth=0)
    with pytest.raises(ValueError, match="`kind` must be one of"):
        tracking.StepTagger("transformer", V=3, C=2)
    with pytest.raises(ValueError, match=r"`x` must be int64 token ids of shape \(B, T\)"):
        m(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match="ids outside 0..V-1=2"):
        m(torch.tensor([[0, 3]]))
    with pytest.raises(ValueError, match="`targets` must have the shape of x"):
        m(torch.tensor([[0, 1]]), torch.tensor([[0, 1, 1]]))
