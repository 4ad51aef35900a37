from .chain_world import (  # noqa: F401  fixtures shared by the cold-chain tests
    chain,
    changan_regulator,
    city_regulator,
    gaocheng_regulator,
    media_in_tmp,
    offices,
)
