"""The sandbox's Faker loads only the providers its fake values use, and writes what a
complete Faker writes."""

from __future__ import annotations

from faker import Faker

from mock_server.engine.values.fake import _TEXT_RULES, FAKER_PROVIDERS, FakeData

KINDS_OF_TEXT = [make for _, make in _TEXT_RULES] + [lambda faker: faker.bothify("??-#####"), lambda faker: faker.word()]


def test_every_kind_of_text_is_what_a_complete_faker_writes_for_the_same_seed():
    complete = Faker("en_US")
    chosen = Faker("en_US", providers=list(FAKER_PROVIDERS))
    for seed in range(200):
        for index, make in enumerate(KINDS_OF_TEXT):
            complete.seed_instance(seed * 100 + index)
            chosen.seed_instance(seed * 100 + index)
            assert make(chosen) == make(complete), (seed, index)


def test_the_sandbox_faker_has_only_the_chosen_providers():
    faker = FakeData(seed=7).faker
    assert {provider.__provider__ for provider in faker.providers} == set(FAKER_PROVIDERS)
    assert not hasattr(faker, "credit_card_number")  # a provider the sandbox does not use
