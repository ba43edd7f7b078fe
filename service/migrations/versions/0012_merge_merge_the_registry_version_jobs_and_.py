"""merge the registry-version, jobs and vendor-facts branches

Revision ID: 0012_merge
Revises: 0009_registry_version, 0010_jobs, 0011_merge_vendor_facts
Create Date: 2026-12-05 17:42:35.749548

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import service.models


# revision identifiers, used by Alembic.
revision: str = '0012_merge'
down_revision: Union[str, Sequence[str], None] = ('0009_registry_version', '0010_jobs', '0011_merge_vendor_facts')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
