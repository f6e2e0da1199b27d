"""A feedforward network trained by mini-batch gradient descent: Nielsen's ``network.py``, and more.

``from digitapp import network`` in place of the book's ``import network``:
``network.Network([784, 30, 10])`` is chapter 1's network (sigmoid neurons,
the quadratic cost, N(0, 1) weights and biases) and ``SGD(training_data,
epochs, mini_batch_size, eta, test_data=...)`` prints "Epoch j: n / N" as
the book's does.  :mod:`digitapp.network2` is the same class with chapter 3's
defaults (cross-entropy, N(0, 1/n_in) weights), its cost classes, monitor
flags, ``save`` and ``load``.

Beyond the book, in its style: any depth, one output or many;
``activation=`` a class of :mod:`digitapp.activations` or its name (the
weights then start as suits it unless ``weight_initializer=`` says
otherwise); ``cost=`` "quadratic", "cross-entropy" or "log-likelihood" (a
softmax output layer, chapter 3); ``SGD(..., optimizer=)`` "sgd",
"momentum" or "adam" (:mod:`digitapp.optimizers`, which keeps the state).

Stricter than the book where it is loose: the random state is the
network's own (``seed``), inputs of the wrong shape are refused rather
than broadcast, and ``update_mini_batch`` takes a whole mini-batch in one
matrix product per layer.  One input is a (n_in, 1) column as in the book; a
batch is an (m, n_in) array with one example per row.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .activations import ACTIVATIONS, ELU, LeakyReLU, ReLU, Sigmoid, Softmax, Swish, Tanh, activation_named
from .blas import fast_blas
from .optimizers import SGD as PlainSGD, Optimizer, make_optimizer

__all__ = ["Network", "QuadraticCost", "CrossEntropyCost", "LogLikelihoodCost", "COSTS", "cost_named",
           "sigmoid", "sigmoid_prime", "ACTIVATIONS", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "Swish",
           "Softmax"]


def sigmoid(z):
    """The logistic function, safe for any z (no overflow warnings)."""
    return Sigmoid.fn(z)


def sigmoid_prime(z):
    """Derivative of the sigmoid."""
    return Sigmoid.prime(z)


class QuadraticCost:
    """C = 0.5 ||a - y||^2 (chapter 1), with sigmoid outputs."""

    name = "quadratic"
    output_activation = Sigmoid

    @staticmethod
    def fn(a, y):
        return 0.5 * float(np.sum((a - y) ** 2))

    @staticmethod
    def derivative(a, y):
        """dC/da."""
        return a - y

    @staticmethod
    def delta(z, a, y):
        """The output layer's error (BP1)."""
        return (a - y) * sigmoid_prime(z)


class CrossEntropyCost:
    """C = -[y ln a + (1 - y) ln(1 - a)] (chapter 3), with sigmoid outputs: no learning slowdown."""

    name = "cross-entropy"
    output_activation = Sigmoid

    @staticmethod
    def fn(a, y):
        eps = np.finfo(a.dtype).eps  # keeps ln(a) and ln(1 - a) finite
        a = np.clip(a, eps, 1 - eps)
        return float(np.sum(-y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def derivative(a, y):
        """dC/da."""
        return (a - y) / (a * (1 - a))

    @staticmethod
    def delta(z, a, y):
        """The output layer's error: sigma'(z) cancels."""
        return a - y


class LogLikelihoodCost:
    """C = -sum_j y_j ln a_j with a softmax output layer (chapter 3): categorical cross-entropy.

    For a one-hot y it is the book's -ln a_y.  The softmax's Jacobian and
    dC/da cancel to the same simple error as cross-entropy's, a - y.  The
    targets of a softmax should add up to 1: for "none of these" use 1/n
    each, as all zeros leaves the network nothing to learn.
    """

    name = "log-likelihood"
    output_activation = Softmax

    @staticmethod
    def fn(a, y):
        a = np.maximum(a, np.finfo(a.dtype).tiny)  # ln 0 would be -inf
        return float(-np.sum(y * np.log(a)))

    @staticmethod
    def derivative(a, y):
        """dC/da (the softmax's Jacobian is applied in ``delta``)."""
        return -y / a

    @staticmethod
    def delta(z, a, y):
        """The output layer's error: softmax and log-likelihood together give a sum(y) - y, a - y for one-hot y.

        With sum(y) kept, a target that is not a distribution still gets its
        true gradient (all zeros, "none of these", gets none at all).
        """
        total = np.add.reduce(y, axis=0 if y.shape[1] == 1 else 1, keepdims=True)  # a column, or one per example
        delta = a * total
        delta -= y
        return delta


#: The costs by the name a model file stores.
COSTS = {cost.name: cost for cost in (QuadraticCost, CrossEntropyCost, LogLikelihoodCost)}
#: Other names of the costs: the book's class names (network2's JSON files) and a common one.
COST_ALIASES = {"QuadraticCost": QuadraticCost, "CrossEntropyCost": CrossEntropyCost,
                "LogLikelihoodCost": LogLikelihoodCost, "softmax": LogLikelihoodCost,
                "categorical-cross-entropy": LogLikelihoodCost}


def cost_named(cost):
    """The cost class for a name or a class of the table; ValueError otherwise."""
    found = (COSTS.get(cost) or COST_ALIASES.get(cost)) if isinstance(cost, str) else cost
    if found not in COSTS.values():
        raise ValueError(f"unknown cost {cost!r}; choose one of {', '.join(COSTS)}")
    return found


#: Weight initialisers by name: the method that draws the weights and biases.
INITIALIZERS = {"large": "large_weight_initializer", "default": "default_weight_initializer",
                "he": "he_weight_initializer"}


class Network:
    """A fully connected network, ``Network([784, 30, 10])``; the book's chapter 1 defaults."""

    #: The weights a sigmoid network starts from when none are chosen: chapter 1's N(0, 1).
    sigmoid_initializer = "large"
    #: What SGD prints after an epoch when there is no test data (chapter 1's words).
    epoch_done = "complete"

    def __init__(self, sizes: Sequence[int], cost=QuadraticCost, seed: int | None = None,
                 dtype=np.float64, activation=Sigmoid, weight_initializer: str | None = None):
        """``sizes`` lists the neurons per layer, input first; any depth, one output or many.

        ``cost`` is a cost class or its name, ``activation`` the hidden
        layers' (the output layer's comes with the cost: sigmoid, or softmax
        for "log-likelihood").  ``weight_initializer`` is "large" (N(0, 1),
        chapter 1), "default" (N(0, 1/n_in), chapter 3) or "he" (N(0, 2/n_in),
        biases 0); unset, it is chapter 1's for sigmoid neurons and the
        activation's own otherwise.  ``seed`` makes the run reproducible
        without touching NumPy's global random state.
        """
        if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
            raise ValueError(f"sizes must list at least two positive layer sizes, got {list(sizes)}")
        self.sizes = [int(s) for s in sizes]
        self.num_layers = len(self.sizes)
        self.cost = cost_named(cost)
        self.activation = activation_named(activation)
        self.output_activation = self.cost.output_activation  # its delta assumes this output layer
        if self.output_activation is Softmax and self.sizes[-1] == 1:
            raise ValueError("a softmax of one output is always 1: use cost='cross-entropy' for one output")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        self.rng = np.random.default_rng(seed)
        if weight_initializer is None:
            weight_initializer = (self.sigmoid_initializer if self.activation is Sigmoid
                                  else getattr(self.activation, "initializer", "default"))
        if weight_initializer not in INITIALIZERS:
            raise ValueError(f"unknown weight_initializer {weight_initializer!r}; choose one of {', '.join(INITIALIZERS)}")
        getattr(self, INITIALIZERS[weight_initializer])()

    def __repr__(self):
        extra = "" if self.activation is Sigmoid else f", activation={self.activation.__name__}"
        return f"{type(self).__name__}({self.sizes}, cost={self.cost.__name__}{extra}, dtype={self.dtype.name})"

    # ------------------------------------------------------------ weights

    def default_weight_initializer(self):
        """Weights N(0, 1/n_in), so hidden neurons do not start saturated (chapter 3); biases N(0, 1)."""
        self.biases = [self.rng.standard_normal((y, 1)).astype(self.dtype) for y in self.sizes[1:]]
        self.weights = [(self.rng.standard_normal((y, x)) / np.sqrt(x)).astype(self.dtype)
                        for x, y in zip(self.sizes[:-1], self.sizes[1:])]

    def large_weight_initializer(self):
        """Weights and biases N(0, 1), as in chapter 1."""
        self.biases = [self.rng.standard_normal((y, 1)).astype(self.dtype) for y in self.sizes[1:]]
        self.weights = [self.rng.standard_normal((y, x)).astype(self.dtype)
                        for x, y in zip(self.sizes[:-1], self.sizes[1:])]

    def he_weight_initializer(self):
        """Weights N(0, 2/n_in) and biases 0 (He et al. 2015): keeps a ReLU layer's output variance steady."""
        self.biases = [np.zeros((y, 1), self.dtype) for y in self.sizes[1:]]
        self.weights = [(self.rng.standard_normal((y, x)) * np.sqrt(2 / x)).astype(self.dtype)
                        for x, y in zip(self.sizes[:-1], self.sizes[1:])]

    @classmethod
    def from_weights(cls, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], cost=CrossEntropyCost,
                     activation=Sigmoid, seed: int | None = 0) -> "Network":
        """A network with these weights (each (n_out, n_in)) and biases (each (n_out, 1)), copied.

        The sizes and dtype are the arrays'; nothing random is drawn for
        the weights.  ``cost`` defaults to the app's (cross-entropy).  The one
        home of "build a network, then set its weights": model files, copies.
        """
        weights = [np.array(w) for w in weights]
        biases = [np.array(b) for b in biases]
        if not weights or len(weights) != len(biases):
            raise ValueError(f"need as many bias columns as weight matrices (at least one), "
                             f"got {len(weights)} and {len(biases)}")
        if any(w.ndim != 2 for w in weights):
            raise ValueError(f"weights must be matrices, got shapes {[w.shape for w in weights]}")
        sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
        dtype = weights[0].dtype
        for i, (w, b) in enumerate(zip(weights, biases)):
            if w.shape[1] != sizes[i] or b.shape != (w.shape[0], 1) or w.dtype != dtype or b.dtype != dtype \
                    or dtype not in (np.float32, np.float64):
                raise ValueError(f"layer {i + 1}: weights {w.shape} {w.dtype} and biases {b.shape} {b.dtype} "
                                 f"do not follow a layer of {sizes[i]} inputs in float32 or float64")
        network = cls.__new__(cls)
        network.sizes, network.num_layers = sizes, len(sizes)
        network.cost, network.activation = cost_named(cost), activation_named(activation)
        network.output_activation = network.cost.output_activation
        if network.output_activation is Softmax and sizes[-1] == 1:
            raise ValueError("a softmax of one output is always 1: use cost='cross-entropy' for one output")
        network.dtype = np.dtype(dtype)
        network.rng = np.random.default_rng(seed)
        network.weights, network.biases = weights, biases
        return network

    def copy(self) -> "Network":
        """An independent copy: the same sizes, cost, activation, dtype and weights; a fresh random state (seed 0)."""
        return type(self).from_weights(self.weights, self.biases, self.cost, self.activation, seed=0)

    # ------------------------------------------------------------ forward

    def forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Every layer's weighted inputs and activations for a batch X (m, n_in): ``(zs, activations)``.

        ``zs[l]`` is (m, sizes[l + 1]); ``activations[0]`` is X itself and
        ``activations[-1]`` the output.  The one forward pass backprop,
        training, ``feedforward`` and the explanations share.
        """
        activations, zs = [X], []
        for b, w, f in zip(self.biases, self.weights, self.layer_activations()):
            z = np.dot(activations[-1], w.T)
            z += b.T
            zs.append(z)
            activations.append(f.fn(z))
        return zs, activations

    def layer_activations(self) -> list:
        """Each layer's activation after the input: the hidden layers', then the output layer's."""
        return [self.activation] * (self.num_layers - 2) + [self.output_activation]

    def feedforward(self, a):
        """Output for ``a``: a (n_in, 1) column gives a (n_out, 1) column, an (m, n_in) batch an (m, n_out) batch."""
        a = np.asarray(a)
        if a.ndim == 2 and a.shape == (self.sizes[0], 1):
            for b, w, f in zip(self.biases, self.weights, self.layer_activations()):
                z = np.dot(w, a) + b
                a = f.fn(z) if getattr(f, "elementwise", True) else f.fn(z.T).T  # a column: a batch of one, turned
            return a
        if a.ndim == 2 and a.shape[1] == self.sizes[0]:
            return self.forward(a)[1][-1]
        raise ValueError(f"feedforward expects a ({self.sizes[0]}, 1) column or an (m, {self.sizes[0]}) "
                         f"batch, got shape {a.shape}")

    # ------------------------------------------------------------ learning

    def SGD(self, training_data, epochs: int, mini_batch_size: int, eta: float, lmbda: float = 0.0,
            evaluation_data=None, monitor_evaluation_cost: bool = False,
            monitor_evaluation_accuracy: bool = False, monitor_training_cost: bool = False,
            monitor_training_accuracy: bool = False, test_data=None, optimizer="sgd", verbose: bool = True,
            early_stopping_n: int = 0):
        """Train by mini-batch stochastic gradient descent, printing progress as the book does.

        ``training_data`` is a list of ``(x, y)`` pairs (x a (n_in, 1) column,
        y a one-hot column, or for one output a number) or an ``(X (N, n_in),
        labels (N,))`` tuple; ``evaluation_data`` and ``test_data`` the same
        with int labels.  ``optimizer`` is "sgd" (the book's step),
        "momentum", "adam" or an optimizer object, which keeps its state
        across calls.  ``verbose=False`` prints nothing.  ``early_stopping_n``
        > 0 stops after that many epochs without a better evaluation accuracy
        (the book's later network2; needs ``monitor_evaluation_accuracy``).  Runs with one BLAS
        thread, as ``digitapp train`` does (:mod:`digitapp.blas`).  Returns
        chapter 3's four per-epoch lists: evaluation cost, evaluation
        accuracy (correct count), training cost, training accuracy.
        """
        if evaluation_data is None and (monitor_evaluation_cost or monitor_evaluation_accuracy):
            raise ValueError("monitoring the evaluation cost or accuracy needs evaluation_data")
        if early_stopping_n > 0 and not monitor_evaluation_accuracy:
            raise ValueError("early_stopping_n needs monitor_evaluation_accuracy=True")
        best_accuracy, epochs_without_gain = -1, 0
        optimizer = make_optimizer(optimizer)
        say = print if verbose else (lambda *args: None)
        X, Y = self.as_arrays(training_data)
        evaluation = self.as_arrays(evaluation_data) if evaluation_data is not None else None
        test = self.as_arrays(test_data) if test_data is not None else None
        n = len(X)
        evaluation_cost, evaluation_accuracy = [], []
        training_cost, training_accuracy = [], []
        with fast_blas():
            for j in range(epochs):
                order = self.rng.permutation(n)
                for k in range(0, n, mini_batch_size):
                    mini_batch = order[k:k + mini_batch_size]
                    self.update_mini_batch((X[mini_batch], Y[mini_batch]), eta, lmbda, n, optimizer)
                if test is not None:
                    say(f"Epoch {j}: {self.evaluate(test)} / {len(test[0])}")
                else:
                    say(f"Epoch {j} {self.epoch_done}")
                if monitor_training_cost:
                    training_cost.append(self.total_cost((X, Y), lmbda))
                    say(f"Cost on training data: {training_cost[-1]}")
                if monitor_training_accuracy:
                    training_accuracy.append(self.evaluate((X, Y)))
                    say(f"Accuracy on training data: {training_accuracy[-1]} / {n}")
                if monitor_evaluation_cost:
                    evaluation_cost.append(self.total_cost(evaluation, lmbda))
                    say(f"Cost on evaluation data: {evaluation_cost[-1]}")
                if monitor_evaluation_accuracy:
                    evaluation_accuracy.append(self.evaluate(evaluation))
                    say(f"Accuracy on evaluation data: {evaluation_accuracy[-1]} / {len(evaluation[0])}")
                if early_stopping_n > 0:
                    if evaluation_accuracy[-1] > best_accuracy:
                        best_accuracy, epochs_without_gain = evaluation_accuracy[-1], 0
                    else:
                        epochs_without_gain += 1
                    if epochs_without_gain == early_stopping_n:
                        say(f"Early-stopping: no accuracy change in last epochs: {early_stopping_n}")
                        break
        return evaluation_cost, evaluation_accuracy, training_cost, training_accuracy

    def update_mini_batch(self, mini_batch, eta: float, lmbda: float = 0.0, n: int = 1,
                          optimizer: Optimizer | str | None = None):
        """One gradient step on ``mini_batch`` (the book's pairs, or an ``(X (m, n_in), Y (m, n_out))`` tuple), in place.

        ``optimizer`` None or an :class:`~digitapp.optimizers.SGD` takes the
        book's step, the same as :meth:`backprop_batch` followed by
        :meth:`apply_gradient`, fused for speed: eta/m is folded into delta
        once, each weight change is written straight into the weights, and
        every delta is computed from the old weights before that layer
        changes.  Another optimizer object (it holds the state, so pass the
        same object every step) gets the mean gradients.
        """
        X, Y = mini_batch if isinstance(mini_batch, tuple) else self.as_arrays(mini_batch)
        if isinstance(optimizer, str):
            if optimizer.strip().lower() != "sgd":
                raise ValueError(f"update_mini_batch needs an optimizer object for {optimizer!r}: it keeps "
                                 "state from step to step (make one with optimizers.make_optimizer)")
            optimizer = None
        zs, activations = self.forward(X)
        delta = self.cost.delta(zs[-1], activations[-1], Y)
        if optimizer is not None and type(optimizer) is not PlainSGD:
            delta *= 1 / len(X)
            if not callable(getattr(optimizer, "update_flat", None)):  # an optimizer of the caller's own
                nabla_b, nabla_w = self._backward(delta, zs, activations)
                optimizer.update_params(self.weights + self.biases, nabla_w + nabla_b, eta,
                                        [lmbda / n] * len(self.weights) + [0.0] * len(self.biases))
                return
            P = self.flat_parameters()
            G = optimizer.buffer("gradients", P)
            nabla_w, nabla_b = self._views(G)
            self._backward(delta, zs, activations, nabla_b, nabla_w)
            optimizer.update_flat(P, G, eta, lmbda / n, sum(w.size for w in self.weights))
            return
        decay = 1.0 - eta * lmbda / n
        delta *= eta / len(X)
        prime_from = getattr(self.activation, "prime_from", None)
        for l in range(1, self.num_layers):
            w, b, a_in = self.weights[-l], self.biases[-l], activations[-l - 1]
            if l < self.num_layers - 1:
                delta_below = np.dot(delta, w)  # uses w before this step changes it
                delta_below *= (prime_from(zs[-l - 1], a_in) if prime_from is not None
                                else self.activation.prime(zs[-l - 1]))
            nabla_w = np.dot(delta.T, a_in)
            if decay != 1.0:
                w *= decay
            w -= nabla_w
            b_row = b.T  # a (1, n_l) view, so the update lands in b
            b_row -= np.add.reduce(delta, axis=0)
            if l < self.num_layers - 1:
                delta = delta_below

    def update_mini_batch_per_example(self, mini_batch, eta: float, lmbda: float = 0.0, n: int = 1,
                                      optimizer: Optimizer | None = None):
        """The book's own update: ``backprop`` one example at a time, summed (then ``optimizer``'s step, if given)."""
        X, Y = mini_batch if isinstance(mini_batch, tuple) else self.as_arrays(mini_batch)
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in zip(X, Y):
            delta_nabla_b, delta_nabla_w = self.backprop(x.reshape(-1, 1), y.reshape(-1, 1))
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        if optimizer is None or type(optimizer) is PlainSGD:
            self.apply_gradient(nabla_b, nabla_w, eta, len(X), lmbda, n)
        else:
            mean = [(g / len(X)).astype(self.dtype) for g in nabla_w + nabla_b]
            optimizer.update_params(self.weights + self.biases, mean, eta,
                                    [lmbda / n] * len(self.weights) + [0.0] * len(self.biases))

    def apply_gradient(self, nabla_b, nabla_w, eta: float, m: int, lmbda: float = 0.0, n: int = 1):
        """w -> (1 - eta*lmbda/n) w - (eta/m) nabla_w;  b -> b - (eta/m) nabla_b (chapter 3)."""
        for w, nw in zip(self.weights, nabla_w):
            w *= 1 - eta * lmbda / n
            w -= (eta / m) * nw
        for b, nb in zip(self.biases, nabla_b):
            b -= (eta / m) * nb

    def backprop(self, x, y):
        """Gradient of the cost for one example: ``(nabla_b, nabla_w)``, layer by layer.

        ``x`` is a (n_in, 1) column and ``y`` a (n_out, 1) column, as in the book.
        """
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        # feedforward
        activation = x
        activations = [x]  # all the activations, layer by layer
        zs = []  # all the z vectors, layer by layer
        for b, w, f in zip(self.biases, self.weights, self.layer_activations()):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = f.fn(z) if getattr(f, "elementwise", True) else f.fn(z.T).T
            activations.append(activation)
        # backward pass
        delta = self.cost.delta(zs[-1], activations[-1], y)
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = self.activation.prime(z)
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return nabla_b, nabla_w

    def backprop_batch(self, X, Y):
        """``backprop`` for a whole mini-batch, summed: X (m, n_in), Y (m, n_out) give ``(nabla_b, nabla_w)``.

        The clear form of what :meth:`update_mini_batch` computes: a forward
        pass, a backward pass, and the sums of the per-example gradients
        (``delta.T @ a`` adds up the m outer products in one product).
        """
        zs, activations = self.forward(X)
        return self._backward(self.cost.delta(zs[-1], activations[-1], Y), zs, activations)

    def _backward(self, delta, zs, activations, nabla_b=None, nabla_w=None):
        """The backward pass from the output error ``delta`` (m, n_out): ``(nabla_b, nabla_w)`` summed over rows.

        Given ``nabla_b`` and ``nabla_w`` (arrays shaped like the biases and
        weights), the sums are written into them rather than into new arrays.
        """
        if nabla_b is None:
            nabla_b = [np.empty_like(b) for b in self.biases]
            nabla_w = [np.empty_like(w) for w in self.weights]
        prime_from = getattr(self.activation, "prime_from", None)
        for l in range(1, self.num_layers):
            if l > 1:
                delta = np.dot(delta, self.weights[-l + 1])
                delta *= (prime_from(zs[-l], activations[-l]) if prime_from is not None
                          else self.activation.prime(zs[-l]))
            np.add.reduce(delta, axis=0, out=nabla_b[-l][:, 0])
            np.dot(delta.T, activations[-l - 1], out=nabla_w[-l])
        return nabla_b, nabla_w

    # ------------------------------------------------------------ one flat array of parameters

    def flat_parameters(self) -> np.ndarray:
        """Every weight, then every bias, in one contiguous 1-D array whose views are ``weights`` and ``biases``.

        The first call moves the parameters into it (the values do not
        change; ``weights`` and ``biases`` become views); later calls find it
        through the views.  An optimizer then updates all of them in one
        NumPy call per pass (:meth:`~digitapp.optimizers.Optimizer.update_flat`).
        """
        params = self.weights + self.biases
        flat = params[0].base
        total = sum(p.size for p in params)
        if flat is None or flat.ndim != 1 or flat.size != total or any(p.base is not flat for p in params):
            flat = np.concatenate([p.reshape(-1) for p in params])
            views = self._views(flat)
            self.weights, self.biases = views
        return flat

    def _views(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(weights, biases)``-shaped views of a flat array laid out as :meth:`flat_parameters`'s."""
        views, start = [], 0
        for p in self.weights + self.biases:
            views.append(flat[start:start + p.size].reshape(p.shape))
            start += p.size
        L = len(self.weights)
        return views[:L], views[L:]

    def cost_derivative(self, output_activations, y):
        """dC/da for the network's cost (chapter 1's quadratic: ``a - y``)."""
        return self.cost.derivative(output_activations, y)

    # ------------------------------------------------------------ measuring

    def evaluate(self, test_data) -> int:
        """How many examples of ``test_data`` (pairs or an ``(X, labels)`` tuple) come out right."""
        X, Y = self.as_arrays(test_data)
        return self.correct(self.feedforward(X), Y)

    def accuracy(self, data, convert: bool = False) -> int:
        """Chapter 3's name for :meth:`evaluate` (``convert`` is accepted and not needed: labels may be either form)."""
        return self.evaluate(data)

    def total_cost(self, data, lmbda: float = 0.0, convert: bool = False) -> float:
        """Mean cost over ``data`` plus the L2 term 0.5 (lmbda/n) sum w^2, as in chapter 3."""
        X, Y = self.as_arrays(data)
        return self.cost_of(self.feedforward(X), Y, lmbda)

    @staticmethod
    def correct(A, Y) -> int:
        """How many outputs ``A`` (N, n_out) are right for targets ``Y`` (N, n_out).

        With several outputs, right is the largest output where Y has its
        largest value; with one output, both on the same side of 0.5.
        """
        if A.shape[1] == 1:
            return int(np.sum((A[:, 0] >= 0.5) == (Y[:, 0] >= 0.5)))
        return int(np.sum(np.argmax(A, axis=1) == np.argmax(Y, axis=1)))

    def cost_of(self, A, Y, lmbda: float = 0.0) -> float:
        """:meth:`total_cost` of outputs ``A`` (N, n_out) already computed for targets ``Y`` (N, n_out)."""
        cost = self.cost.fn(A, Y) / len(A)
        return cost + 0.5 * (lmbda / len(A)) * sum(float(np.sum(np.square(w, dtype=np.float64)))
                                                   for w in self.weights)

    def as_arrays(self, data) -> tuple[np.ndarray, np.ndarray]:
        """The book's ``(x, y)`` pairs or an ``(X, labels)`` tuple, as ``(X (N, n_in), Y (N, n_out))`` arrays.

        A label is an int (one-hot encoded), a target row or column, or for a
        one-output network a number (0/1 or a float target).  The arrays are
        in the network's dtype.
        """
        n_in, n_out = self.sizes[0], self.sizes[-1]
        if isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], np.ndarray):
            X, labels = data
        else:
            pairs = list(data)
            X = np.stack([np.asarray(x).reshape(-1) for x, _ in pairs]) if pairs else np.zeros((0, n_in))
            labels = np.array([np.asarray(y).reshape(-1) if np.ndim(y) else y for _, y in pairs])
        labels = np.asarray(labels)
        if X.ndim != 2 or X.shape[1] != n_in or len(X) == 0 or len(labels) != len(X):
            raise ValueError(f"expected N >= 1 examples of {n_in} values each with N labels, "
                             f"got inputs of shape {np.shape(X)} and {len(labels)} labels")
        if labels.ndim == 2 or n_out == 1:
            Y = labels.reshape(len(labels), -1).astype(self.dtype)
            if Y.shape[1] != n_out:
                raise ValueError(f"targets have {Y.shape[1]} values each, the network has {n_out} outputs")
        else:
            # A negative label indexes from the end, as it always has here (digitapp train's non-digits
            # are -1, so they count as the last class); trainer.targets gives them all zeros (softmax: 1/n).
            if labels.dtype.kind not in "iu" or labels.min() < -n_out or labels.max() >= n_out:
                raise ValueError(f"labels must be ints from 0 to {n_out - 1} (or one-hot rows), "
                                 f"got {labels.dtype} values from {labels.min()} to {labels.max()}")
            Y = np.eye(n_out, dtype=self.dtype)[labels]
        return X.astype(self.dtype, copy=False), Y


def shares(outputs: np.ndarray) -> np.ndarray:
    """Each output's share of all of them (the app's "confidence" is the winner's): the outputs scaled
    to sum to 1, in their own dtype.  Sigmoid outputs are each in (0, 1) on their own, so the shares say
    how clearly one digit stands out, not whether any digit is there."""
    return outputs / outputs.sum()
