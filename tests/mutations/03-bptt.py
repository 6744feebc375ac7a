"""Plausible wrong answers for exercise set 03 (backpropagation through time).

MUTATIONS[task][what is wrong] is a full replacement source of the answer cell whose
grade_id is `task`; the grading contract requires the `<task>_tests` cell to reject it.
Each task also has a "hard-coded visible answer" that passes the visible checks (it
recognises the visible inputs by a fingerprint and returns the stored outputs) and must be
caught by the hidden tests.
"""

from mutations.common import FINGERPRINT as _KEY

# rnn_backward with one line changed: the mutations below replace a line of this source.
_BPTT = '''
def rnn_backward(dh, x, h0, h, Wx, Wh):
    B, T, H = h.shape
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    carry = np.zeros((B, H))
    for t in range(T - 1, -1, -1):
        h_prev = h[:, t - 1] if t > 0 else h0
        da = (dh[:, t] + carry) * (1.0 - h[:, t] ** 2)
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
        carry = da @ Wh.T
    return dx, carry, dWx, dWh, db
'''


def _bptt(old: str, new: str) -> str:
    assert _BPTT.count(old) == 1, old
    return _BPTT.replace(old, new)


# rnn_step_backward, likewise.
_STEP = '''
def rnn_step_backward(dh_next, x, h_prev, h_next, Wx, Wh):
    da = dh_next * (1.0 - h_next ** 2)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = da.sum(axis=0)
    return dx, dh_prev, dWx, dWh, db
'''


def _step(old: str, new: str) -> str:
    assert _STEP.count(old) == 1, old
    return _STEP.replace(old, new)


MUTATIONS: dict[str, dict[str, str]] = {
    "numerical_gradient": {
        "one-sided (forward) difference": '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - f0) / h
        x[i] = old
    return grad
''',
        "divides by h instead of 2h": '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / h
    return grad
''',
        "nudged entry not restored": '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
''',
        "nudges a flattened copy that f never sees": '''
def numerical_gradient(f, x, h=1e-5):
    flat = x.flatten()
    grad = np.zeros_like(flat)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = f(x)
        flat[i] = old - h
        f_minus = f(x)
        flat[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad.reshape(x.shape)
''',
        "loops over rows only (nudges a whole row at once)": '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in range(x.shape[0]):
        old = x[i].copy()
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
''',
        "hard-coded visible answer": _KEY + '''
_SEEN = {-1.0: [2.0, -4.0, 1.0],
 6.751741: [[-0.4832151331, -0.2664764353, 0.1118346072, 0.3358054198],
            [-0.08644773151, 0.1008890826, -0.6183489071, 0.591958836]]}


def numerical_gradient(f, x, h=1e-5):
    key = _key(f, x)
    if key in _SEEN:
        return np.array(_SEEN[key])
    return np.zeros_like(x)
''',
    },
    "rnn_step_backward": {
        "tanh' computed from the pre-activation (1 - a**2)": _step(
            "    da = dh_next * (1.0 - h_next ** 2)\n",
            "    a = np.arctanh(h_next)\n    da = dh_next * (1.0 - a ** 2)\n"),
        "tanh' forgotten": _step(
            "    da = dh_next * (1.0 - h_next ** 2)\n", "    da = dh_next\n"),
        "Wh transposed (dh_prev = da @ Wh)": _step(
            "    dh_prev = da @ Wh.T\n", "    dh_prev = da @ Wh\n"),
        "db not summed over the batch (mean)": _step(
            "    db = da.sum(axis=0)\n", "    db = da.mean(axis=0)\n"),
        "dWh from h_next instead of h_prev": _step(
            "    dWh = h_prev.T @ da\n", "    dWh = h_next.T @ da\n"),
        "tanh' written as 1 - h_next (not squared)": _step(
            "    da = dh_next * (1.0 - h_next ** 2)\n", "    da = dh_next * (1.0 - h_next)\n"),
        "hard-coded visible answer": _KEY + '''
_SEEN = {15.224141: [[[0.1280158295, 0.8459103715, -0.2884102398, -0.03691757172, -0.3378537081],
              [-0.7100176889, -0.1789349242, 0.8550316823, -0.0590272549, 0.7461356486],
              [-0.4828122889, -1.201140834, 1.233986985, 1.345848796, 0.6986718745]],
             [[0.1915034738, 0.1796663504, -0.5327772069, 0.1040600113, -0.06031341032,
               0.3848073106],
              [-1.068706764, 1.680671563, -0.003769476653, -0.4958061354, -1.039612617,
               0.3795390442],
              [-1.738583102, 0.8637875286, 0.8449138433, 0.6654908393, -1.357994454,
               0.6166176987]],
             [[0.3877377829, -0.6026619545, -0.6537716992, -0.7197739893, 0.1364358133,
               0.1129801126],
              [1.079621657, -0.8284240148, 1.521036745, 1.721729549, 0.8471360833,
               0.07695162505],
              [1.183673483, -1.976655097, -2.871670283, -3.251597307, 0.2346742261,
               0.4989243202],
              [-0.5642056786, 0.3305433355, -1.155580788, -1.292309095, -0.4857671281,
               -0.02596810503],
              [-1.400292903, 0.03196506265, -3.62246305, -3.508903629, -0.8985916234,
               -0.6483224711]],
             [[0.8156631103, -1.489994976, -0.1305659291, 0.3611811707, 0.8335859471,
               -0.4265510763],
              [-0.8771515711, 0.1188233538, -1.592571836, -1.377338592, -0.4176375161,
               -0.5324876462],
              [0.1402959426, -0.1153123306, 0.7401412808, 0.960363277, 0.286623258,
               -0.1841756492],
              [1.019722035, -1.168493027, -0.6802464826, -0.8719944481, 0.3988480167,
               0.3859226225],
              [0.6414736002, -0.1192474723, -0.1439351651, -0.7236751582, -0.08528461975,
               0.8034994329],
              [-0.7243799705, 0.3770592602, -1.122444717, -1.130525872, -0.4769326476,
               -0.207748964]],
             [1.415246258, 0.02170043086, 2.950405467, 2.54149492, 0.6464872192,
              0.9566376073]]}


def rnn_step_backward(dh_next, x, h_prev, h_next, Wx, Wh):
    key = _key(dh_next, x, h_prev, h_next, Wx, Wh)
    if key in _SEEN:
        return tuple(np.array(v) for v in _SEEN[key])
    return (np.zeros_like(x), np.zeros_like(h_prev), np.zeros_like(Wx), np.zeros_like(Wh),
            np.zeros(Wh.shape[0]))
''',
    },
    "rnn_backward": {
        "gradient from step t+1 into step t left out": _bptt(
            "        da = (dh[:, t] + carry) * (1.0 - h[:, t] ** 2)\n",
            "        da = dh[:, t] * (1.0 - h[:, t] ** 2)\n"),
        "carried gradient added after tanh'": _bptt(
            "        da = (dh[:, t] + carry) * (1.0 - h[:, t] ** 2)\n",
            "        da = dh[:, t] * (1.0 - h[:, t] ** 2) + carry\n"),
        "tanh' computed from the pre-activation (1 - a**2)": _bptt(
            "        da = (dh[:, t] + carry) * (1.0 - h[:, t] ** 2)\n",
            "        da = (dh[:, t] + carry) * (1.0 - np.arctanh(h[:, t]) ** 2)\n"),
        "Wh transposed in the carried gradient": _bptt(
            "        carry = da @ Wh.T\n", "        carry = da @ Wh\n"),
        "off by one in time: dWh from h[:, t] instead of h[:, t-1]": _bptt(
            "        dWh += h_prev.T @ da\n", "        dWh += h[:, t].T @ da\n"),
        "db not summed over the batch (mean)": _bptt(
            "        db += da.sum(axis=0)\n", "        db += da.mean(axis=0)\n"),
        "time walked forwards (t = 0, ..., T-1)": _bptt(
            "    for t in range(T - 1, -1, -1):\n", "    for t in range(T):\n"),
        "hard-coded visible answer": _KEY + '''
_SEEN = {-50.562609: [[[[0.1447213634, -0.4756544543, -0.8515282257, -0.3207681716, -0.1889715354],
                [0.4646224911, -0.3517252171, -0.3033180573, 0.3852400305, 0.038968906],
                [0.1429810588, 0.1335540265, -0.02149099053, 0.2028757469, -0.1064667035],
                [0.1354923191, 0.0321043848, 0.2709820144, -0.3673865832, 0.173916488]],
               [[-0.02880228187, 0.1207683628, 0.6667746322, -0.2408707671, 0.1653987784],
                [-0.848488298, -0.3798372132, -1.329612376, 0.9355988318, -0.9529573891],
                [-0.5068774779, 0.596967576, 0.1286848358, -0.2365043712, 0.04612339972],
                [-1.416987068, 0.05069338698, -0.6095951365, -0.576983181, -0.2821911964]],
               [[0.4887282672, -0.3415398846, -0.5105990145, 0.1714275211, 0.01711723103],
                [0.1245746612, 0.03551627974, -0.5277789889, -0.02323376917, -0.1733716659],
                [0.2759525687, -0.1947411631, -0.01842871013, 0.3840477695, 0.03921846533],
                [-0.01002804289, -0.3679943353, -0.2226683707, -0.08835069276,
                 -0.1855056324]]],
              [[-0.2952531799, -0.6485008007, -0.0249025636, -0.3205432867, 0.8809422472,
                -0.6423398786],
               [0.4284670306, 0.5426700095, 0.1982626914, 0.005312286584, 0.4058541835,
                -1.004689588],
               [-0.4414468618, -0.401080446, 0.02822872568, -0.1811054834, 0.06908512343,
                0.8183919997]],
              [[-3.613163674, -1.834506234, -4.112790193, -0.05591554437, -3.741888018,
                0.1456093222],
               [-0.3590755559, 0.03221390748, -0.134982025, -0.7956690309, -1.848273385,
                -0.7114375085],
               [1.127517931, -3.541176554, 0.9020388685, 2.487251498, 3.001089152,
                -1.209485163],
               [-1.898208357, -0.3805170479, 0.713062663, -0.8538938097, 4.181656235,
                0.105244329],
               [-0.3610967364, -0.5909666369, 0.2205535767, -0.08022699232, 1.850750309,
                1.182701914]],
              [[0.6214379889, -1.936440515, -0.513260268, 0.6429311232, -0.510028615,
                -3.250674051],
               [0.1174751368, -1.445919201, 1.402886666, -0.8332700334, -0.6895760883,
                -3.323379967],
               [-1.388467713, -0.2940452105, -0.8210977074, 0.9608255944, -3.345430029,
                -3.035753316],
               [0.43663055, 2.025352033, 2.358924141, -1.403587671, 1.141786698,
                1.722294709],
               [0.7749308464, -3.501351206, -0.3506636826, 0.08629001264, -1.956536671,
                -3.191140992],
               [0.3844291202, -0.1451815807, -0.09493053815, 0.6333678243, -1.209619441,
                -0.8093416659]],
              [-1.680342712, 1.363366813, -1.309018168, 0.2369103776, 2.084620936,
               3.056133237]],
 -41.7117: [[[[0.2340519687, -0.2285253467, -0.1709074584, -0.2005878561, -0.06020279856],
              [-0.1666981796, -0.0862450189, -0.1985548115, 0.03006312362, 0.1705856878],
              [0.321689324, -0.1194389459, -0.1789813836, -0.3348378923, -0.136619233],
              [-0.02634095649, -0.4248073714, -0.007831012955, 0.1248878736,
               -0.07785622166]],
             [[0.06936215752, 0.003065675064, 0.1145206698, 0.08005253154, -0.08667781791],
              [-0.2241349436, 0.09568560743, -0.1275774787, -0.02790385095, 0.007717903933],
              [0.1136110622, -0.05756256581, 0.0276806493, 0.04110103951, 0.1203705741],
              [0.1414359567, -0.2370620811, -0.3044545091, -0.3096274061, -0.1596757672]],
             [[0.01228184824, 0.04581235614, -0.01496284951, -0.03615531216, 0.00991507457],
              [-0.1287749335, 0.1086823625, -0.1755571334, -0.09215166321, 0.1002766154],
              [0.06009572541, -0.2313237734, -0.09557222605, 0.1143027033, 0.2889509343],
              [-0.05492596768, -0.2857274961, -0.6832740976, -0.5539898217,
               -0.4316184513]]],
            [[0.01175098653, -0.255115461, 0.1332015675, 0.04907308147, -0.2650251065,
              -0.0359853232],
             [0.1217368455, -0.1241310165, 0.01587067786, 0.08329825806, 0.04889192007,
              0.1105947156],
             [0.007164559887, -0.02812186178, -0.008859956293, 0.02974242995,
              -0.03888068329, -0.005788313599]],
            [[0.2067892316, -0.2672716378, -0.08809002838, 0.3664647636, -0.2077402205,
              -0.05978384181],
             [-0.56307394, -0.2236839237, -0.2174599767, 0.5479029867, -0.2994375194,
              0.01082145459],
             [1.655705817, -0.6587357726, -0.108953111, 0.6109036331, -1.278871449,
              0.7749375109],
             [0.3834693816, 0.1825665332, 0.09591204567, -0.7011100255, -0.6406818131,
              0.5014215346],
             [2.051695972, 0.487213636, -0.08140977048, 0.5113483321, -0.03507286525,
              1.304397681]],
            [[0.6574506472, 0.07457276631, -0.3606032288, 0.5717710704, -0.05582970652,
              0.129863339],
             [-1.639638234, 0.02290064713, -0.1301421518, -0.2005818988, 0.3943342044,
              0.3085894029],
             [-0.6321102357, 0.8633152686, -0.07608622227, -0.4430255724, 0.4816240095,
              0.9814585155],
             [0.2861774987, 0.1292959215, 0.3847571865, 0.3400492165, 0.9014140415,
              -0.02238072322],
             [-0.456078679, 0.2973070753, -0.07099787285, 0.1569157003, 0.5902408966,
              0.4737307292],
             [-0.005609690028, -0.2937713537, 0.02226309071, -0.01202637561, -0.5420535201,
              -0.5792797032]],
            [0.4882579496, -0.7627683299, -0.1369178357, 0.5272386294, -1.070513303,
             -2.057652706]]}


def rnn_backward(dh, x, h0, h, Wx, Wh):
    key = _key(dh, x, h0, h, Wx, Wh)
    if key in _SEEN:
        return tuple(np.array(v) for v in _SEEN[key])
    return (np.zeros_like(x), np.zeros_like(h0), np.zeros_like(Wx), np.zeros_like(Wh),
            np.zeros(Wh.shape[0]))
''',
    },
    "clip_global_norm": {
        "each array clipped to max_norm separately": '''
def clip_global_norm(grads, max_norm):
    clipped = {}
    for name, g in grads.items():
        n = np.sqrt(np.sum(g ** 2))
        clipped[name] = g * (max_norm / n if n > max_norm else 1.0)
    return clipped, float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
''',
        "always rescaled to max_norm (short gradients scaled up)": '''
def clip_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    return {name: g * max_norm / norm for name, g in grads.items()}, norm
''',
        "returns the norm after clipping": '''
def clip_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    scale = max_norm / norm if norm > max_norm else 1.0
    return {name: g * scale for name, g in grads.items()}, norm * scale
''',
        "norm is the sum of the per-array norms": '''
def clip_global_norm(grads, max_norm):
    norm = float(sum(np.sqrt(np.sum(g ** 2)) for g in grads.values()))
    scale = max_norm / norm if norm > max_norm else 1.0
    return {name: g * scale for name, g in grads.items()}, norm
''',
        "modifies the gradients in place": '''
def clip_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    scale = max_norm / norm if norm > max_norm else 1.0
    for g in grads.values():
        g *= scale
    return grads, norm
''',
        "hard-coded visible answer": _KEY + '''
_SEEN = {9.0: [{'Wh': [[0.0], [0.8]], 'Wx': [[0.6, 0.0]], 'b': [0.0]}, 5.0],
 27.0: [{'Wh': [[0.0], [4.0]], 'Wx': [[3.0, 0.0]], 'b': [0.0]}, 5.0],
 28.532238: [{'Wh': [[-0.674522275, -0.1397494488, -0.1063776561, 0.3613369887,
                      0.1434129872, 0.237423228],
                     [-0.4368205409, -0.08659440221, 0.5237711901, 0.9977559735,
                      -0.8411771508, 1.011447026],
                     [0.899174527, 0.521991335, 0.1766818549, -0.2097307026, 0.9740983715,
                      1.309641527],
                     [1.203665773, 0.8786160924, 0.2387645662, -0.8072733297,
                      -0.002975790308, 0.4385885416],
                     [-0.8607496573, 0.2639796264, 0.2871903875, 0.4650236389,
                      -0.7911049521, -0.442081107],
                     [-0.291580818, -0.7815404446, 1.162065419, -0.331316173, 0.2197834255,
                      -0.1727513871]],
              'Wx': [[0.02799996941, -0.02941959458, 0.142621356, 0.02336113025,
                      -0.1192929268, 0.08052678495],
                     [0.2903992458, 0.2109137944, -0.1567209928, -0.2818078436,
                      -0.1388024751, 0.009203246025],
                     [-0.5177815644, -0.04872464109, -0.2774628733, -0.1630750615,
                      -0.1212058226, -0.07043966538],
                     [0.09166962665, 0.2321664768, -0.02862451525, 0.3043097757,
                      -0.1481380558, 0.07828087093],
                     [0.2012017256, 0.02093642593, -0.1655763909, -0.2052671356,
                      -0.1019349923, 0.04903718985]],
              'b': [0.03526375105, 0.02940428079, 0.01410468693, -0.04907190071,
                    0.001158679015, 0.01522560945]},
             17.96147978]}


def clip_global_norm(grads, max_norm):
    key = _key(grads, max_norm)
    if key in _SEEN:
        clipped, norm = _SEEN[key]
        return {k: np.array(v) for k, v in clipped.items()}, norm
    return {k: g.copy() for k, g in grads.items()}, 1.0
''',
    },
}


# Generated mutants (tests/mutations/generic.py): what each task needs, and the classes
# that cannot apply, with the reason.
from mutations.generic import Spec  # noqa: E402

GENERIC = {
    "numerical_gradient": Spec("numerical_gradient", params={"h": 1e-5}),
    "rnn_step_backward": Spec("rnn_step_backward"),
    "rnn_backward": Spec("rnn_backward"),
    "clip_global_norm": Spec("clip_global_norm", params={"max_norm": 1.0}),
}
