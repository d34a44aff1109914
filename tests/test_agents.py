"""Unit tests of causal_lessons.agents: token encoding, the transformer policy and its two exploit heads."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from causal_lessons import agents  # noqa: E402
from causal_lessons.agents import AgentConfig, TokenLayout, make_agent  # noqa: E402


def small_episode(batch=3, n=4, steps=4, seed=0):
    rng = np.random.default_rng(seed)
    allowed = np.ones((batch, n), bool)
    allowed[0, 1] = False
    actions = np.stack([rng.permutation(n)[:steps] for _ in range(batch)])
    actions[:, -1] = -1
    values = rng.normal(size=(batch, steps, n)).astype(np.float32)
    goal = rng.integers(n, size=batch)
    return allowed, actions, values, goal


def test_config_checks_speak_to_the_student():
    with pytest.raises(ValueError, match="head must be one of 'pointer', 'identity'"):
        AgentConfig(head="softmax")
    with pytest.raises(ValueError, match=r"d_model \(30\) must be a multiple of n_heads \(4\)"):
        AgentConfig(d_model=30)
    with pytest.raises(ValueError, match="n_vars must be a positive whole number"):
        AgentConfig(n_vars=0)
    with pytest.raises(TypeError, match="d_model must be a whole number"):
        AgentConfig(d_model=64.0)
    with pytest.raises(ValueError, match="intervention_value must be a positive number"):
        AgentConfig(intervention_value=0)
    with pytest.raises(ValueError, match="unknown agent config keys: colour"):
        AgentConfig.from_dict({"colour": "red"})
    with pytest.raises(ValueError, match="value_scales must be a positive number"):
        AgentConfig(value_scales=(5.0, -1.0))
    with pytest.raises(ValueError, match="value_scales must be a non-empty tuple"):
        AgentConfig(value_scales=())
    cfg = AgentConfig(d_model=32, head="identity", value_scales=[2.0])
    assert cfg.value_scales == (2.0,)
    assert AgentConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg


def test_token_layout_is_contiguous():
    layout = TokenLayout(5)
    assert layout.size == 3 + 5 + 5 + 6 + 5 + 5
    assert TokenLayout(5, (5.0, 0.1)).size == layout.size + 5
    assert AgentConfig().layout == TokenLayout(5, AgentConfig().value_scales)
    ends = [s.stop for s in layout.slices.values()]
    starts = [s.start for s in layout.slices.values()]
    assert starts[0] == 0 and starts[1:] == ends[:-1] and ends[-1] == layout.size


def test_action_index_round_trip_and_errors():
    actions = np.array([[-1, 0, 4], [2, -1, 3]])
    index = agents.action_index(actions, 5)
    assert index.tolist() == [[5, 0, 4], [2, 5, 3]]
    assert np.array_equal(agents.index_to_action(index, 5), actions)
    with pytest.raises(ValueError, match="actions must be -1 .observe. or a variable index 0..4"):
        agents.action_index(np.array([5]), 5)


def test_episode_tokens_carry_each_piece_of_information():
    allowed, actions, values, goal = small_episode()
    layout = TokenLayout(5, (5.0, 0.1))  # an agent for 5 variables reading 4-variable episodes (padded)
    tokens = agents.episode_tokens(allowed, actions, values, goal, layout=layout)
    assert tokens.shape == (3, 4 + 2, layout.size)
    s = layout.slices
    # token types: start, steps, goal
    assert tokens[:, 0, s["type"]].tolist() == [[1, 0, 0]] * 3
    assert (tokens[:, 1:-1, s["type"]] == [0, 1, 0]).all()
    assert tokens[:, -1, s["type"]].tolist() == [[0, 0, 1]] * 3
    # start: exists (first 4 of 5) and allowed
    assert tokens[0, 0, s["exists"]].tolist() == [1, 1, 1, 1, 0]
    assert tokens[0, 0, s["allowed"]].tolist() == [1, 0, 1, 1, 0]
    # steps: action one-hot (observe is slot n=5), values divided by the intervention value
    act = tokens[:, 1:-1, s["action"]]
    assert (act.sum(-1) == 1).all()
    assert np.array_equal(act.argmax(-1), np.where(actions < 0, 5, actions))
    shown = tokens[:, 1:-1, s["values"]]
    assert np.allclose(shown[..., :4], agents.signed_log(values / 5.0))      # in units of the intervention
    assert np.allclose(shown[..., 5:9], agents.signed_log(values / 0.1))     # in units of the noise
    assert (shown[..., 4] == 0).all() and (shown[..., 9] == 0).all()
    # goal one-hot
    assert np.array_equal(tokens[:, -1, s["goal"]].argmax(-1), goal)
    assert (tokens[:, 1:, s["allowed"]] == 0).all() and (tokens[:, :-1, s["goal"]] == 0).all()


def test_signed_log_is_monotone_odd_and_compressing():
    x = np.linspace(-40, 40, 801)
    y = agents.signed_log(x)
    assert np.all(np.diff(y) > 0) and np.allclose(y, -y[::-1]) and y[400] == 0
    assert abs(agents.signed_log(8.0) / agents.signed_log(1.0)) < 4.0


def test_episode_tokens_reject_too_many_variables():
    allowed, actions, values, goal = small_episode(n=4)
    with pytest.raises(ValueError, match="the episodes have 4 variables but the agent handles at most 3"):
        agents.episode_tokens(allowed, actions, values, goal, layout=TokenLayout(3))
    with pytest.raises(ValueError, match=r"explore_values must have shape \(episodes, steps, variables\)"):
        agents.episode_tokens(allowed, actions, values[0], goal, layout=TokenLayout(5))


def test_make_agent_is_seeded_and_leaves_the_global_generator_alone():
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    a = make_agent(d_model=32, seed=4)
    assert torch.equal(torch.random.get_rng_state(), before)
    b = make_agent(d_model=32, seed=4)
    c = make_agent(d_model=32, seed=5)
    pa, pb, pc = (torch.cat([p.flatten() for p in m.parameters()]) for m in (a, b, c))
    assert torch.equal(pa, pb) and not torch.equal(pa, pc)
    assert make_agent(AgentConfig(d_model=32), head="identity").config.head == "identity"
    with pytest.raises(TypeError, match="config must be an AgentConfig"):
        make_agent({"d_model": 32})


@pytest.mark.parametrize("head", agents.HEADS)
def test_output_shapes(head):
    agent = make_agent(n_vars=5, d_model=32, head=head, seed=0)
    allowed, actions, values, goal = small_episode()
    tokens = torch.from_numpy(agents.episode_tokens(allowed, actions, values, goal, layout=agent.layout))
    hidden = agent.encode(tokens)
    assert hidden.shape == (3, 6, 32)
    assert agent.explore_logits(hidden).shape == (3, 6, 6)
    if head == "pointer":
        assert agent.pointer_logits(hidden).shape == (3, 4)
        assert agent.sign_logits(hidden, torch.tensor([0, 1, 3])).shape == (3,)
        assert not hasattr(agent, "identity_head")
    else:
        assert agent.identity_logits(hidden).shape == (3, 10)
        assert not hasattr(agent, "query")


def test_attention_is_causal_and_attention_maps_are_distributions():
    agent = make_agent(d_model=32, seed=0)
    allowed, actions, values, goal = small_episode(n=5)
    tokens = torch.from_numpy(agents.episode_tokens(allowed, actions, values, goal, layout=agent.layout))
    with torch.no_grad():
        hidden, maps = agent.encode(tokens, return_attention=True)
        changed = tokens.clone()
        changed[:, 3:] += 1.0  # change the future
        hidden2 = agent.encode(changed)
        plain = agent.encode(tokens)
    assert torch.allclose(hidden[:, :3], hidden2[:, :3], atol=1e-5)
    assert not torch.allclose(hidden[:, 3:], hidden2[:, 3:])
    assert torch.allclose(hidden, plain, atol=1e-5)  # the explicit attention path equals the fused one
    assert len(maps) == 2 and maps[0].shape == (3, 4, 6, 6)
    assert torch.allclose(maps[0].sum(-1), torch.ones(3, 4, 6))
    assert (maps[0].triu(1) == 0).all()


def test_too_long_episodes_are_refused():
    agent = make_agent(d_model=32, max_steps=3, seed=0)
    allowed, actions, values, goal = small_episode(n=5, steps=4)
    tokens = torch.from_numpy(agents.episode_tokens(allowed, actions, values, goal, layout=agent.layout))
    with pytest.raises(ValueError, match="the episode has 4 exploration steps but the agent was built for at most 3"):
        agent.encode(tokens)


def test_check_agent_and_n_vars():
    agent = make_agent(d_model=32, seed=0)
    assert agents.check_agent(agent) is agent
    with pytest.raises(TypeError, match="agent must be an agent built by causal_lessons.agents.make_agent, got dict"):
        agents.check_agent({})
    assert agents.check_n_vars(4, agent) == 4
    with pytest.raises(ValueError, match="the episodes have 6 variables but the agent handles at most 5"):
        agents.check_n_vars(6, agent)


def test_count_parameters():
    agent = make_agent(d_model=32, d_ff=64, n_layers=1, head="identity", seed=0)
    assert agents.count_parameters(agent) == sum(p.numel() for p in agent.parameters())
    assert 5_000 < agents.count_parameters(agent) < 20_000


def test_importing_the_module_does_not_import_torch():
    code = "import sys, causal_lessons.agents, causal_lessons.training; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
