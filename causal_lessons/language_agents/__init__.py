"""Language models as agents: the causal DAG game written as text, a tiny language model, and the agent loop.

Lesson 04's agent read one numeric token per step.  Here the same game is
*written down*, one word per token, and a small decoder-only transformer
learns it the way a language model learns anything: by predicting the next word
of text.  Two corpora are made from the *same* training episodes (same DAGs, same
goals, same expert answers):

* **transcripts** of the expert's experiments (what the experimenter LM reads)::

      <bos> do(B=5) -> A=0 B=5 C=-5 D=0 E=5 | do(D=5) -> ... | goal E do(B=5) <eos>

  each step is the action, "->", every variable's value afterwards (rounded to
  the nearest multiple of the intervention, 5: the noise, sd 0.1, never decides
  the rounding, so the words carry the effects exactly) and "|".
* **facts** about the same graphs, with no experiments (what the "causal parrot" reads)::

      <bos> B causes C=-5 B causes E=5 C causes E=-5 goal E do(B=5) <eos>

  "B causes E=5" states the exact total effect: do(B=5) moves E to 5 on average.
  Only pairs with a non-zero total effect are stated, in alphabetical order.

The tokenizer (:class:`Vocabulary`) has one token per word and encodes whole
batches of episodes with numpy (no string handling during training).  The
language model (:func:`make_lm`) is a 2-layer causal transformer; :func:`train_lm`
trains it by next-token prediction on every word of the corpus.

**The agent loop** (:func:`play`): the LM is prompted with the transcript so far
and writes its next word; the loop parses it as an action (:func:`parse_action`),
lets the environment act (:func:`causal_lessons.game.simulate`), and
appends the environment's answer as text.  After the exploration steps the loop
writes ``goal X`` and the LM writes its exploit.  A word that is not an action
("unparseable"), or an action the rules do not allow ("invalid"), is played as
"observe" during exploration and as no intervention at the exploit, as in
:class:`~causal_lessons.environment.CausalDAGEnv`.  :func:`play_env` runs the same
loop on a Gymnasium :class:`~causal_lessons.environment.CausalDAGEnv`, one episode.

The parrot is offered the same loop: it writes whatever its training taught it
to write (facts, "talk", sampled), the loop names the goal, and it answers.  With
``told=True`` the facts of the episode's true graph are written for it instead.

The package's modules follow these parts: :mod:`.corpora` (the tokenizer and the
two corpora), :mod:`.model` (the language model, its training and checkpoints),
:mod:`.loop` (the agent loop), :mod:`.measures` (evaluating play and claims) and
:mod:`.recipes` (lesson 06's three models, their training, test sets and shipped
checkpoints); every name is importable from here.  The command line that trains
the shipped models is ``python -m causal_lessons.experiments.language_agents``.
Torch is imported inside the functions that need it.

>>> vocab = Vocabulary()
>>> ids = vocab.encode("<bos> do(B=5) -> A=0 B=5")
>>> ids.tolist() == [vocab.index[w] for w in ("<bos>", "do(B=5)", "->", "A=0", "B=5")]
True
>>> parse_action("do(C=-5)"), parse_action("C=-5")
(('C', -5), None)
"""

from __future__ import annotations

from . import corpora, loop, measures, model, recipes
from .corpora import *  # noqa: F403  (the names in corpora.__all__)
from .model import *  # noqa: F403  (the names in model.__all__)
from .loop import *  # noqa: F403  (the names in loop.__all__)
from .measures import *  # noqa: F403  (the names in measures.__all__)
from .recipes import *  # noqa: F403  (the names in recipes.__all__)

__all__ = [*corpora.__all__, *model.__all__, *loop.__all__, *measures.__all__, *recipes.__all__]
