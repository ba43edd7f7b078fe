"""merge the 0009 branches: policy workflow, review us_persons, session generation, vendor facts

Revision ID: 0011_merge_vendor_facts
Revises: 0010_review_us_persons, 0010_review_asserted_facts
(0010_review_us_persons already follows 0009_policy and 0009_session_generation)
Create Date: 2026-12-05 17:31:00

"""
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = '0011_merge_vendor_facts'
down_revision: Union[str, Sequence[str], None] = ('0010_review_us_persons', '0010_review_asserted_facts')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
